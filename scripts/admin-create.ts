import os from 'node:os'
import { parseArgs } from 'node:util'
import { createLogger } from '../api/logger.ts'
import {
  createOperator,
  OperatorInputError,
  operatorInputProblems,
} from '../api/services/admin/auth/create-operator.ts'
import { operatorTitle } from '../api/services/admin/auth/labels.ts'
import { loadConfigOrExit } from './cli.ts'
import { besideRunningStart, inUseMessage } from './stack/in-use.ts'
import { bootStack } from './stack/index.ts'

/**
 * `npm run admin:create -- --username NAME --role ROLE [--county CODE]`: creates a console
 * account and prints its one-time password, once. Exit codes: 0 created, 1 bad input (nothing
 * written), 2 the embedded database is in use by `npm start`, 3 could not run, 78 bad
 * configuration.
 */
const usage = [
  '用法：npm run admin:create -- --username 用户名 --role 角色 [--county 区县代码]',
  '  角色：city_admin 市局管理员 | county_handler 区县承办人（须指定 --county）| viewer 只读查看',
  '  例如：npm run admin:create -- --username zhang.san --role county_handler --county 331102',
].join('\n')

const err = (text: string) => process.stderr.write(`${text}\n`)

type Args = { username?: string; role?: string; county?: string }

/** The options given, or the reason they could not be read (an unknown option, a missing value). */
function readArgs(): Args | Error {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        county: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    return error as Error
  }
}

function argumentProblem(error: Error): string {
  switch ((error as { code?: unknown }).code) {
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return '选项缺少取值：每个选项后面要跟一个值，例如 --role viewer。'
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return '有多余的参数：请只用 --username、--role、--county 三个选项（注意两个减号）。'
    default:
      return '有不认识的选项：只接受 --username、--role、--county，请检查拼写。'
  }
}

async function main(): Promise<number> {
  const args = readArgs()
  const input =
    args instanceof Error
      ? undefined
      : { username: args.username, role: args.role, county: args.county }
  const problems = input ? operatorInputProblems(input) : [argumentProblem(args as Error)]
  if (!input || problems.length > 0) {
    err(`未创建账号：\n${problems.map((p) => `- ${p}`).join('\n')}\n\n${usage}`)
    return 1
  }

  // Beside a running `npm start`, use its embedded database rather than refuse: creating the first
  // account is what someone trying the console does next. Accounts need no search index.
  const beside = besideRunningStart(loadConfigOrExit())
  if ('heldBy' in beside) {
    err(inUseMessage('npm run admin:create', beside.heldBy))
    return 2
  }
  const { config } = beside
  if (!config.DATABASE_URL) err(`正在启动内置数据库（${config.DATA_DIR}）…`)
  const stack = await bootStack(config, createLogger('warn', process.stderr), { search: false })
  try {
    const created = await createOperator({
      ctx: stack.deps,
      input: { ...input, actor: `cli:${os.userInfo().username}` },
    })
    const title = operatorTitle({ role: created.role, countyCode: input.county ?? null })
    process.stdout.write(
      [
        `已创建账号 ${created.username}（${title}）。`,
        `一次性密码：${created.password}`,
        '这个密码只显示这一次，请通过安全渠道交给本人；首次登录 /admin/sign-in 后必须修改密码。',
        '',
      ].join('\n'),
    )
    return 0
  } catch (error) {
    if (error instanceof OperatorInputError) {
      err(`未创建账号：\n${error.problems.map((p) => `- ${p}`).join('\n')}`)
      return 1
    }
    throw error
  } finally {
    await stack.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`未能创建账号：${error instanceof Error ? error.message : String(error)}`)
    process.exit(3)
  },
)
