// TypeDoc: the API reference of every public entry point, built by `npm run docs` into docs/api/
// (git-ignored). Strict on purpose: a public export without a summary, or a broken {@link}, fails.
// It lives beside the guides it publishes; TypeDoc reads its paths relative to this file.
import { readFileSync } from 'node:fs';

// The entry points are the package's own: each `exports` entry's declarations, mapped back to
// their source (./dist/x/y.d.ts → ./src/x/y.ts), so package.json stays the one list.
const { exports } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entryPoints = Object.values(exports).map(({ types }) => types.replace(/^\.\/dist\//, '../src/').replace(/\.d\.ts$/, '.ts'));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  entryPoints,
  tsconfig: '../tsconfig.build.json',
  out: './api',
  readme: '../README.md',
  // The guides become pages of the reference, and the README's links to them follow.
  projectDocuments: ['./*.md'],
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  // No source links: the repository's URL is not settled yet (package.json's is a placeholder).
  disableSources: true,
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  // Every export needs a summary; so do the members of classes (methods, accessors). Properties of
  // the MCP wire types are the specification's fields, inlined from io-ts codecs: the spec documents them.
  requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'Method', 'Accessor', 'TypeAlias'],
  // Internals that public types are built from: named in signatures, not part of the surface.
  intentionallyNotExported: [
    'CallToolResultCodec',
    'ContentBlockCodec',
    'ImplementationCodec',
    'InitializeResultCodec',
    'JsonRpcNotificationCodec',
    'PromptCodec',
    'ResourceCodec',
    'ToolCodec',
    'CompleteResultCodec',
    'CreateMessageParamsCodec',
    'CreateMessageResultCodec',
    'ElicitFieldCodec',
    'ElicitFormParamsCodec',
    'ElicitParamsCodec',
    'ElicitResultCodec',
    'ElicitUrlParamsCodec',
    'ListRootsResultCodec',
    'PromptReferenceCodec',
    'ResourceTemplateReferenceCodec',
    'RootCodec',
    'SamplingContentCodec',
    'SamplingMessageCodec',
    'PromptMessage',
    'ResourceContents',
    'RequestId',
    'SessionRequest',
    'JsonRpcErrorObject',
  ],
};
