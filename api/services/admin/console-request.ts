import type { z } from 'zod'
import type { OperatorRole, SessionStage } from '../../../db/database.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError, type ErrorCode } from '../../errors.ts'
import { validationFailed } from '../../validation.ts'
import { originMatchesHost } from './origin.ts'
import { csrfTokenMatches, loadSession, type ConsoleSession } from './sessions.ts'

/**
 * A console request as both entry points see it: an Astro page's form post and a JSON call to
 * /api/admin build this from their own request object, so the checks below run once, the same
 * way, for both.
 */
export interface ConsoleRequest {
  /** The session cookie's value, if the browser sent one. */
  sessionToken: string | undefined
  /** From the X-CSRF-Token header (API) or the form's hidden `csrf` field (pages). */
  csrfToken: string | undefined
  /** The Origin header; null or undefined when the browser sent none. */
  origin: string | null | undefined
  /** The host the request was sent to, which a same-site Origin names. */
  host: string
  /** False for GET, HEAD and OPTIONS: only a state-changing request must carry the CSRF token. */
  changesState: boolean
  clientAddress: string
  userAgent: string
  /** Served over HTTPS (directly, or through a trusted proxy that says so). */
  secure: boolean
}

/** Why the console refused a request; the adapters turn each into their own answer. */
type ConsoleRefusalReason = 'signed_out' | 'unfinished' | 'role' | 'csrf' | 'origin'

/**
 * The console's refusal: an ApiError (so the API answers it with the one error body) that also
 * says why, and for an unfinished sign-in at which stage, so a page can send the browser on.
 */
export class ConsoleRefusal extends ApiError {
  constructor(
    readonly reason: ConsoleRefusalReason,
    code: ErrorCode,
    message: string,
    readonly stage?: SessionStage,
  ) {
    super(code, message)
  }
}

const signedOutMessage = '登录已失效或尚未登录，请重新登录后台。'
const csrfMessage = '请求缺少有效的安全令牌（CSRF），请刷新页面后重试。'
const foreignOriginMessage = '登录请求来自其他网站，已拒绝。请直接打开后台登录页登录。'
/** What a session at `stage` is told when the request needs another stage. */
const stageMessages: Record<SessionStage, string> = {
  change_password: '请先修改初始密码，再进行其他操作。',
  totp: '请先输入动态验证码完成登录。',
  // No route refuses an active session today; were one to, it is told what it was told before.
  active: '请先输入动态验证码完成登录。',
}
const roleMessage = '您的账号没有查看这个页面的权限。'

/**
 * Refuses a request another site's page made a browser send. Sign-in has no session (so no CSRF
 * token) yet; its form posted from elsewhere (login CSRF) carries that site's Origin.
 */
export function refuseForeignOrigin(request: ConsoleRequest): void {
  if (!originMatchesHost(request.origin, request.host)) {
    throw new ConsoleRefusal('origin', 'FORBIDDEN', foreignOriginMessage)
  }
}

/**
 * Who may use an area of the console, declared once by the area (enterpriseAdmins,
 * operatorAdmins, auditReaders) and checked here only: its pages pass it to consoleSession and
 * its verbs to consoleVerb, so a page and its API route refuse the same people in the same words.
 */
export interface ConsoleAccess {
  /** The sign-in stages accepted (default: fully signed in). */
  stages?: readonly SessionStage[] | undefined
  /** The roles accepted (default: any). */
  roles?: readonly OperatorRole[] | undefined
  /** What a role outside `roles` is told, in the area's own words (default: a generic line). */
  refusal?: string | undefined
}

/**
 * Whether an operator's role passes an area's rule: the role part of openConsole, for a page
 * that shows a form only to those its verb will accept.
 */
export const passesAccess = (access: ConsoleAccess, operator: { role: OperatorRole }) =>
  !access.roles || access.roles.includes(operator.role)

/**
 * The rule checked inside a verb that more people may open than may act (a campaign's readers
 * and its managers): refuses, in the area's words, an operator outside it.
 */
export function requireAccess(access: ConsoleAccess, operator: { role: OperatorRole }): void {
  if (!passesAccess(access, operator))
    throw new ApiError('FORBIDDEN', access.refusal ?? roleMessage)
}

/**
 * The one console check: a live session at an accepted stage, an operator the verb accepts,
 * and for a state-changing request the session's CSRF token (a cookie alone, which another site
 * can make a browser send, is not enough). Returns the session or throws a ConsoleRefusal.
 */
export async function openConsole({
  ctx,
  request,
  access = {},
}: {
  ctx: ServiceContext
  request: ConsoleRequest
  access?: ConsoleAccess
}): Promise<ConsoleSession> {
  const session = await loadSession(
    ctx.db,
    ctx.privacy.hashKey,
    request.sessionToken,
    new Date(),
    ctx.sessionCache,
  )
  if (!session) throw new ConsoleRefusal('signed_out', 'UNAUTHORIZED', signedOutMessage)
  const stages = access.stages ?? ['active']
  if (!stages.includes(session.stage)) {
    throw new ConsoleRefusal('unfinished', 'FORBIDDEN', stageMessages[session.stage], session.stage)
  }
  if (request.changesState && !csrfTokenMatches(session.csrfToken, request.csrfToken)) {
    throw new ConsoleRefusal('csrf', 'FORBIDDEN', csrfMessage)
  }
  if (!passesAccess(access, session.operator)) {
    throw new ConsoleRefusal('role', 'FORBIDDEN', access.refusal ?? roleMessage)
  }
  return session
}

/**
 * A console verb's input, parsed with its schema: a failure is the API's one validation error
 * (VALIDATION_FAILED with a detail per field), which a page shows next to its fields.
 */
export function parseConsoleInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  target: 'json' | 'query' | 'param' | 'form' = 'json',
): z.output<S> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  throw validationFailed(parsed.error, target)
}

/** A console verb's call: the same from an Astro page and from /api/admin. */
export interface ConsoleCall {
  ctx: ServiceContext
  request: ConsoleRequest
  /**
   * The query, JSON body or form fields as sent: the verb parses its own. A function is called
   * only once the console has accepted the request, so a refused request's body is never read
   * (the API's answer to a stranger is 401, whatever they sent).
   */
  input: unknown
}

/**
 * A console verb: openConsole with the verb's access rule, then its own parse of the raw input,
 * then the work. Both entry points call the verb, so each check exists once.
 */
export function consoleVerb<I, R>(definition: {
  access?: ConsoleAccess
  parse: (raw: unknown) => I
  run: (call: {
    ctx: ServiceContext
    session: ConsoleSession
    request: ConsoleRequest
    input: I
  }) => Promise<R>
}): (call: ConsoleCall) => Promise<R> {
  return async ({ ctx, request, input }) => {
    const session = await openConsole({ ctx, request, access: definition.access ?? {} })
    const raw: unknown = typeof input === 'function' ? await (input as () => unknown)() : input
    return definition.run({ ctx, session, request, input: definition.parse(raw) })
  }
}
