import { describe, expect, it } from 'vitest'
import { csvCell, csvOf } from '../../api/domain/csv.ts'

describe('CSV for Excel and WPS', () => {
  it('quotes a cell with a separator, a quote or a line break, doubling its quotes', () => {
    expect(csvCell('莲都区')).toBe('莲都区')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('说"好"')).toBe('"说""好"""')
    expect(csvCell('一\n二')).toBe('"一\n二"')
  })

  it('keeps a cell that starts like a formula from running', () => {
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell('-5,1')).toBe('"\'-5,1"')
    expect(csvCell('<5')).toBe('<5')
  })

  it('writes a byte-order mark first and CRLF after every line', () => {
    expect(
      csvOf([
        ['区县', '件数'],
        ['莲都区', '<5'],
      ]),
    ).toBe('\uFEFF区县,件数\r\n莲都区,<5\r\n')
  })
})
