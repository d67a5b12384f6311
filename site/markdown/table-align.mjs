// @ts-check
/**
 * Markdown tables with alignment (`---:`) come out with inline `style="text-align:…"` on cells,
 * which the Content-Security-Policy (style-src 'self') blocks. This turns the alignment into a
 * class (`align-right`, …) that the stylesheet styles, so a notice author can align columns.
 * @returns {(tree: import('hast').Root) => void}
 */
export function tableAlignToClass() {
  /** @param {import('hast').Root | import('hast').RootContent} node */
  const visit = (node) => {
    if (node.type === 'element' && (node.tagName === 'td' || node.tagName === 'th')) {
      const props = node.properties
      const fromStyle = /text-align:\s*(\w+)/.exec(String(props.style ?? ''))?.[1]
      const align = typeof props.align === 'string' ? props.align : fromStyle
      if (align) {
        delete props.align
        delete props.style
        const classes = Array.isArray(props.className) ? props.className : []
        props.className = [...classes, `align-${align}`]
      }
    }
    if ('children' in node) node.children.forEach(visit)
  }
  return (tree) => visit(tree)
}
