/**
 * The layers of src/ and the rules between them (issue 19), checked by
 * `npx depcruise src harness bench scripts --config .dependency-cruiser.cjs` and by
 * test/unit/architecture.test.ts in CI:
 *
 *   src/domain ← src/services ← src/streams ← src/programs ← src/tooling
 *
 * Each layer imports only the layers to its left (and libraries). The package's entry points
 * (src/*.ts) may import every layer but tooling. No cycles, type-only imports included.
 * Nothing in src/ imports test/, harness/, bench/ or scripts/; bench/ and harness/ (what the
 * benchmarks share with the tests) do not import test/.
 */
/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules form no cycle, not even through type-only imports.",
      from: {},
      to: { circular: true }
    },
    {
      name: "domain-is-the-bottom",
      severity: "error",
      comment: "src/domain imports nothing of the other layers.",
      from: { path: "^src/domain/" },
      to: { path: "^src/(services|streams|programs|tooling)/" }
    },
    {
      name: "services-below-streams",
      severity: "error",
      comment: "src/services imports only src/domain.",
      from: { path: "^src/services/" },
      to: { path: "^src/(streams|programs|tooling)/" }
    },
    {
      name: "streams-below-programs",
      severity: "error",
      comment: "src/streams imports only src/domain and src/services.",
      from: { path: "^src/streams/" },
      to: { path: "^src/(programs|tooling)/" }
    },
    {
      name: "programs-below-tooling",
      severity: "error",
      comment: "src/programs does not import the tooling (eval, deploy).",
      from: { path: "^src/programs/" },
      to: { path: "^src/tooling/" }
    },
    {
      name: "entry-points-not-tooling",
      severity: "error",
      comment: "The package's entry points (src/*.ts) do not reach the tooling, which is not packed.",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/tooling/" }
    },
    {
      name: "src-not-tests-or-scripts",
      severity: "error",
      comment: "The library and its tooling import no tests, benchmarks or scripts.",
      from: { path: "^src/" },
      to: { path: "^(test|harness|bench|scripts)/" }
    },
    {
      name: "bench-not-tests",
      severity: "error",
      comment: "Benchmarks and the harness import the sources, their tooling and the harness, not test helpers.",
      from: { path: "^(bench|harness)/" },
      to: { path: "^test/" }
    },
    {
      name: "provider-sdks-loaded-lazily",
      severity: "error",
      comment:
        "The modules that import an optional provider SDK (@anthropic-ai/sdk, openai) are reached only through import(): a static import, even type-only, would put the SDK in every declaration file that follows it, and a project without the SDK would not compile (test/broker/package.test.ts type-checks one). Their settings types are in ProviderSettings.ts.",
      from: { path: "^src/", pathNot: "^src/services/llm/(Anthropic|OpenAi)(Tools)?\\.ts$" },
      to: { path: "^src/services/llm/(Anthropic|OpenAi)(Tools)?\\.ts$", dependencyTypesNot: ["dynamic-import"] }
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every relative import resolves to a file.",
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ["core"] }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".d.ts", ".json"] },
    combinedDependencies: false
  }
}
