import { describe, expect, it } from 'vitest'
import { escapeXml, toXml } from '../../api/routes/open311/xml.ts'
import { open311StatusOf } from '../../api/domain/open311.ts'
import { complaintStatuses } from '../../api/domain/complaints.ts'
import { parseOpen311Xml, unknownElements } from '../support/open311-xml.ts'

// Issue 27, acceptance 4: the XML answers are well-formed for a standard parser, whatever text
// they carry, and use the specification's element names.

describe('the Open311 XML writer', () => {
  it('escapes the five special characters and drops what XML 1.0 cannot carry', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;',
    )
    expect(escapeXml('a\u0000b\u0008c\u000Bd\uFFFEe\uD800f\tg\nh')).toBe('abcdef\tg\nh')
    expect(escapeXml('缺斤短两 😀')).toBe('缺斤短两 😀')
  })

  it('writes lists as their repeated elements, null as an empty element, and parses back', () => {
    const notes = `已办结。答复：<script>alert('x')</script> & "引号" ]]> \u0001`
    const xml = toXml('service_requests', [
      { service_request_id: 'JL20261206-4827-3915', status: 'closed', status_notes: notes },
      { service_request_id: 'JL20261206-0000-0001', service_notice: '收到', account_id: null },
    ])
    expect(
      xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>'),
    ).toBe(true)
    expect(xml).toContain('<account_id/>')
    const parsed = parseOpen311Xml(xml) as {
      service_requests: { request: Record<string, string>[] }
    }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.service_requests.request).toHaveLength(2)
    expect(parsed.service_requests.request[0]!.status_notes).toBe(
      `已办结。答复：<script>alert('x')</script> & "引号" ]]> `,
    )
  })

  it('refuses a list it has no element name for, rather than inventing one', () => {
    expect(() => toXml('things', [1])).toThrow(/no item element/)
  })

  it('maps every complaint status to open or closed', () => {
    for (const status of complaintStatuses)
      expect(['open', 'closed']).toContain(open311StatusOf[status])
  })
})
