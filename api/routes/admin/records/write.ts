import { createRoute } from '@hono/zod-openapi'
import type { ZodType } from 'zod'
import type { App } from '../../../env.ts'
import {
  commitmentParams,
  decideObjectionInConsole,
  objectionParams,
  recordCommitmentInConsole,
  recordObjectionInConsole,
  withdrawCommitmentInConsole,
} from '../../../services/admin/records/console.ts'
import { usccParams } from '../../../services/admin/enterprises/params.ts'
import { getRecordInConsole } from '../../../services/admin/records/console.ts'
import {
  commitmentInputSchema,
  consoleRecordSchema,
  decisionInputSchema,
  objectionInputSchema,
  withdrawalInputSchema,
} from '../../../services/admin/records/schemas.ts'
import type { ConsoleCall } from '../../../services/admin/console-request.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute, type ConsoleRouteConfig } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const needs =
  'Needs the X-CSRF-Token header; a viewer is refused (403), a business of another county ' +
  'answers 404. Audited; the grade is recomputed through the outbox.'

function writeRoute(
  operationId: string,
  path: string,
  summary: string,
  params: ZodType,
  body: ZodType,
  example: Record<string, unknown>,
  extra = '',
): ConsoleRouteConfig {
  return createRoute({
    method: 'post',
    path,
    operationId,
    summary,
    description: `${needs}${extra}`,
    request: {
      params: params as typeof usccParams,
      body: { content: { 'application/json': { schema: body, example } }, required: true },
    },
    responses: {
      200: {
        description: 'Done: the record as it is now.',
        content: { 'application/json': { schema: consoleRecordSchema } },
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  })
}

const routes: Array<[ConsoleRouteConfig, (call: ConsoleCall) => Promise<unknown>]> = [
  [
    writeRoute(
      'recordCommitment',
      '/admin/records/{uscc}/commitments',
      '后台：记录单位的诚信计量自我承诺（承诺书版本、签署日期、签署人职务）',
      usccParams,
      commitmentInputSchema,
      { textVersion: 'v1', signedOn: '2026-11-20', signerRole: '法定代表人' },
    ),
    recordCommitmentInConsole,
  ],
  [
    writeRoute(
      'withdrawCommitment',
      '/admin/records/{uscc}/commitments/{commitmentId}/withdraw',
      '后台：撤回单位的自我承诺（须填写原因）',
      commitmentParams,
      withdrawalInputSchema,
      { reason: '单位已注销，承诺不再适用。' },
      ' 409 when it was withdrawn already.',
    ),
    withdrawCommitmentInConsole,
  ],
  [
    writeRoute(
      'recordObjection',
      '/admin/records/{uscc}/objections',
      '后台：登记单位对信用记录中某一条记录的异议',
      usccParams,
      objectionInputSchema,
      {
        itemKind: 'inspection',
        itemId: '12',
        receivedOn: '2026-12-01',
        statement: '检查当日电子秤已送检，现场使用的是备用秤，请求核实。',
      },
    ),
    recordObjectionInConsole,
  ],
  [
    writeRoute(
      'decideObjection',
      '/admin/records/{uscc}/objections/{objectionId}/decision',
      '后台：处理异议（成立则更正记录并公开更正说明；不成立则维持）',
      objectionParams,
      decisionInputSchema,
      {
        version: 2,
        outcome: 'upheld',
        outcomeNote: '核实送检记录属实，更正检查结果。',
        effect: 'amended',
        publicNote: '经核实，更正该次检查结果为合格。',
        result: 'pass',
      },
      ' `version` is the one the objection was read at: 409 (details.reason = "stale_version") ' +
        'when someone decided it meanwhile; 409 (details.reason = "corrected") when the item ' +
        'was corrected already.',
    ),
    decideObjectionInConsole,
  ],
]

export function registerRecordWrites(app: App) {
  for (const [route, verb] of routes) {
    serveConsoleRoute(app, route, async (c) => {
      const request = consoleRequestOf(c)
      const ctx = c.get('ctx')
      await verb({
        ctx,
        request,
        input: async () => ({ ...c.req.param(), fields: await jsonBody(c) }),
      })
      // The record as it is now, read as the operator reads it (a GET: no CSRF needed again).
      const record = await getRecordInConsole({
        ctx,
        request: { ...request, changesState: false },
        input: { uscc: c.req.param('uscc') },
      })
      return c.json(record, 200)
    })
  }
}
