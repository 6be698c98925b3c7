/**
 * `npm run eval -- --cases FILE [options]`: the eval harness (see docs/eval.md and
 * `--help`). The LLM is the configured one (`MOCK_LLM=1` for the mock).
 */
import { Effect } from "effect"
import { runEval } from "../src/tooling/eval/EvalCli.ts"
import { layerLlmFromConfig } from "../src/services/llm/LlmLive.ts"

const code = await Effect.runPromise(
  runEval(process.argv.slice(2), {
    llm: layerLlmFromConfig,
    io: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: {
        write: (text) => process.stderr.write(text),
        isTty: process.stderr.isTTY === true,
        columns: process.stderr.columns
      }
    }
  })
)
process.exitCode = code
