import type { FollowUpResult, VisitResult } from '../../../api/domain/credit.ts'
import { maxInstruments, type VisitDetail } from '../../../api/services/admin/visits/schemas.ts'

/**
 * The visit form as the page holds it between posts: what was typed, row by row, so that a
 * refusal or "再加 3 行" shows it all again without any script (issue 22: a phone in the field).
 */
interface InstrumentRow {
  kind: string
  makerModel: string
  serialNo: string
  /** '' until chosen. */
  verificationValid: '' | 'yes' | 'no'
  passed: '' | 'yes' | 'no'
  /** The measured error's number (inputmode decimal) and its unit, stored together as text. */
  errorValue: string
  errorUnit: string
}

export interface VisitFormState {
  visitedOn: string
  inspectorIds: string[]
  rows: InstrumentRow[]
  findings: string
  result: '' | VisitResult
  rectificationDue: string
  followUpOn: string
  followUpResult: '' | FollowUpResult
  followUpNote: string
  reason: string
}

/** Empty rows shown at first, and added by each "再加 3 行". */
const rowsPerStep = 3

export const errorUnits = ['%', 'g', 'kg', 'mL', 'L', '元', 'km'] as const

const blankRow = (): InstrumentRow => ({
  kind: '',
  makerModel: '',
  serialNo: '',
  verificationValid: '',
  passed: '',
  errorValue: '',
  errorUnit: '%',
})

const isBlank = (row: InstrumentRow) =>
  !row.kind.trim() &&
  !row.makerModel.trim() &&
  !row.serialNo.trim() &&
  !row.errorValue.trim() &&
  row.verificationValid === '' &&
  row.passed === ''

/** Rows up to a multiple of the step, with at least one step of empty rows at the end. */
function padded(rows: InstrumentRow[], extra = 0): InstrumentRow[] {
  const filled = rows.length
  const wanted = Math.min(maxInstruments, Math.max(rowsPerStep, filled + extra))
  return [...rows, ...Array.from({ length: Math.max(0, wanted - filled) }, blankRow)]
}

/** "-0.35%" → { value: '-0.35', unit: '%' }; text that is not a number stays whole. */
function splitError(text: string): { errorValue: string; errorUnit: string } {
  const match = /^([+-]?\d+(?:\.\d+)?)\s*(\S*)$/.exec(text.trim())
  if (match && (match[2] === '' || errorUnits.includes(match[2] as never))) {
    return { errorValue: match[1]!, errorUnit: match[2] || '%' }
  }
  return { errorValue: text, errorUnit: '' }
}

/** The form as first shown: the visit's record, or an empty one with today's date. */
export function stateOfVisit(view: VisitDetail, today: string): VisitFormState {
  const recorded = view.visitedOn !== null
  return {
    visitedOn: view.visitedOn ?? today,
    inspectorIds: recorded
      ? view.inspectors.filter((i) => i.present).map((i) => i.id)
      : view.inspectors.map((i) => i.id),
    rows: padded(
      view.instruments.map((i) => ({
        kind: i.kind,
        makerModel: i.makerModel,
        serialNo: i.serialNo,
        verificationValid: i.verificationValid ? 'yes' : 'no',
        passed: i.passed ? 'yes' : 'no',
        ...splitError(i.measuredError),
      })),
      recorded ? 0 : rowsPerStep,
    ),
    findings: view.findings,
    result: view.result ?? '',
    rectificationDue: view.rectificationDue ?? '',
    followUpOn: view.followUpOn ?? '',
    followUpResult: view.followUpResult ?? '',
    followUpNote: view.followUpNote,
    reason: '',
  }
}

const text = (form: FormData, name: string, max = 5000) => {
  const value = form.get(name)
  return typeof value === 'string' ? value.slice(0, max) : ''
}
const choice = <T extends string>(form: FormData, name: string, allowed: readonly T[]): '' | T => {
  const value = form.get(name)
  return allowed.find((a) => a === value) ?? ''
}

/** The form as posted. `addRows` asks for one more step of empty rows. */
export function stateOfForm(form: FormData, addRows: boolean): VisitFormState {
  const shown = Math.min(
    maxInstruments,
    Math.max(0, Number.parseInt(text(form, 'rows', 3), 10) || 0),
  )
  const rows: InstrumentRow[] = []
  for (let i = 0; i < shown; i++) {
    const at = (field: string) => `instruments.${i}.${field}`
    rows.push({
      kind: text(form, at('kind'), 200),
      makerModel: text(form, at('makerModel'), 200),
      serialNo: text(form, at('serialNo'), 200),
      verificationValid: choice(form, at('verificationValid'), ['yes', 'no'] as const),
      passed: choice(form, at('passed'), ['yes', 'no'] as const),
      errorValue: text(form, at('errorValue'), 100),
      errorUnit: text(form, at('errorUnit'), 10),
    })
  }
  return {
    visitedOn: text(form, 'visitedOn', 20),
    inspectorIds: form
      .getAll('inspectorIds')
      .filter((v): v is string => typeof v === 'string')
      .slice(0, 10),
    rows: addRows ? padded(rows, rowsPerStep) : padded(rows),
    findings: text(form, 'findings'),
    result: choice(form, 'result', ['pass', 'fail'] as const),
    rectificationDue: text(form, 'rectificationDue', 20),
    followUpOn: text(form, 'followUpOn', 20),
    followUpResult: choice(form, 'followUpResult', ['rectified', 'not_rectified'] as const),
    followUpNote: text(form, 'followUpNote'),
    reason: text(form, 'reason', 1000),
  }
}

const yesNo = (v: '' | 'yes' | 'no') => (v === '' ? undefined : v === 'yes')
const orNull = (v: string) => (v.trim() === '' ? null : v.trim())

/**
 * The state as the save verb's fields (the JSON the API takes), with each sent instrument's row
 * on the page: empty rows are left out, so a problem with the second one sent may concern the
 * fourth row shown.
 */
export function fieldsOfState(
  state: VisitFormState,
  version: string,
): { fields: Record<string, unknown>; rowOf: number[] } {
  const rowOf: number[] = []
  const instruments = state.rows.flatMap((row, index) => {
    if (isBlank(row)) return []
    rowOf.push(index)
    const value = row.errorValue.trim()
    return [
      {
        kind: row.kind,
        makerModel: row.makerModel,
        serialNo: row.serialNo,
        verificationValid: yesNo(row.verificationValid),
        passed: yesNo(row.passed),
        measuredError: value === '' ? '' : `${value}${row.errorUnit}`,
      },
    ]
  })
  return {
    fields: {
      version,
      visitedOn: state.visitedOn,
      inspectorIds: state.inspectorIds,
      instruments,
      findings: state.findings,
      result: state.result === '' ? undefined : state.result,
      rectificationDue: orNull(state.rectificationDue),
      followUpOn: orNull(state.followUpOn),
      followUpResult: state.followUpResult === '' ? null : state.followUpResult,
      followUpNote: state.followUpNote,
      ...(state.reason.trim() ? { reason: state.reason } : {}),
    },
    rowOf,
  }
}

/**
 * A problem's field as the page names its control: an instrument's index in what was sent
 * becomes its row on the page; the whole list's problem points at the first row.
 */
export function pageField(field: string, rowOf: readonly number[]): string {
  if (field === 'instruments') return 'instruments.0.kind'
  const match = /^instruments\.(\d+)\.(\w+)/.exec(field)
  if (!match) return field.replace(/^inspectorIds\.\d+$/, 'inspectorIds')
  const row = rowOf[Number(match[1])] ?? 0
  const name = match[2] === 'measuredError' ? 'errorValue' : match[2]!
  return `instruments.${row}.${name}`
}

/** The id of the control a problem's link goes to (a radio group: its first choice). */
export function anchorOf(field: string): string {
  if (/\.(verificationValid|passed)$/.test(field)) return `${field}-yes`
  if (field === 'result') return 'result-pass'
  if (field === 'followUpResult') return 'followUpResult-rectified'
  if (field === 'inspectorIds') return 'inspectorIds-0'
  return field
}
