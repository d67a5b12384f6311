/** The file as a whole cannot be read as a list; the message says, in Chinese, what to do. */
export class ListFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ListFileError'
  }
}
