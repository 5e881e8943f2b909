/**
 * Generates the API reference of the docs site (docs/api/*.md) from the TSDoc of every package's public
 * API: packages/<pkg>/src/index.ts names the namespaces (`export * as Name from "./Name.ts"`), and each
 * namespace module's exports are listed with their declared signature, summary, category, since, example,
 * and the documented fields of interfaces. Only syntax is read, so a package that is still partly written
 * (a missing module, an undocumented export, a type error) is reported as it is, never a crash.
 *
 * Usage: tsx scripts/api-docs.ts [--packages <dir>] [--out <dir>]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")

interface Doc {
  readonly summary: string
  readonly tags: ReadonlyArray<
    { readonly name: string; readonly text: string }
  >
}

interface Field {
  readonly name: string
  readonly type: string
  readonly optional: boolean
  readonly doc: Doc | undefined
}

interface Entry {
  readonly name: string
  readonly kind: string
  readonly signature: string
  readonly doc: Doc | undefined
  readonly fields: ReadonlyArray<Field>
}

interface Namespace {
  readonly name: string
  readonly file: string
  readonly missing: boolean
  readonly header: string | undefined
  readonly entries: ReadonlyArray<Entry>
}

interface Package {
  readonly dir: string
  readonly name: string
  readonly description: string
  readonly namespaces: ReadonlyArray<Namespace>
  readonly hasIndex: boolean
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

const parse = (path: string, text: string): ts.SourceFile =>
  ts.createSourceFile(
    path,
    text,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS
  )

// Raw JSDoc text keeps the indentation of @example code, which the compiler's own JSDoc nodes normalise.
const parseDoc = (raw: string): Doc => {
  const body = raw.replace(/^\/\*\*/, "").replace(/\*\/$/, "")
  // A one-line comment (`/** Summary. @since 0.1.0 */`) puts its tags on the summary's line.
  const lines = body.includes("\n")
    ? body.split("\n").map((line) => line.replace(/^\s*\* ?/, "").replace(/\s+$/, ""))
    : body.trim().split(/\s+(?=@\w)/)
  const summary: Array<string> = []
  const tags: Array<{ name: string; text: Array<string> }> = []
  let inFence = false
  for (const line of lines) {
    const tag = inFence ? null : /^@(\w+)\s?(.*)$/.exec(line)
    if (tag) {
      tags.push({ name: tag[1]!, text: tag[2] ? [tag[2]] : [] })
    } else {
      if (/^\s*```/.test(line)) inFence = !inFence
      const last = tags.at(-1)
      if (last) last.text.push(line)
      else summary.push(line)
    }
  }
  const join = (text: ReadonlyArray<string>) => text.join("\n").replace(/^\n+|\n+$/g, "")
  return {
    summary: join(summary),
    tags: tags.map((t) => ({ name: t.name, text: join(t.text) }))
  }
}

const docOf = (node: ts.Node, source: ts.SourceFile): Doc | undefined => {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ??
    []
  const last = ranges.filter((r) => source.text.startsWith("/**", r.pos)).at(
    -1
  )
  return last === undefined ? undefined : parseDoc(source.text.slice(last.pos, last.end))
}

const tag = (doc: Doc | undefined, name: string): string | undefined => doc?.tags.find((t) => t.name === name)?.text

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

// Signatures show declared types; doc comments inside them are shown as tables instead.
const text = (node: ts.Node | undefined): string =>
  (node?.getText() ?? "").replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n?/gm, "")
    .replace(/\/\*\*[\s\S]*?\*\/\s*/g, "")

const typeParams = (
  params: ts.NodeArray<ts.TypeParameterDeclaration> | undefined
): string => params && params.length > 0 ? `<${params.map(text).join(", ")}>` : ""

const heritage = (
  clauses: ts.NodeArray<ts.HeritageClause> | undefined
): string => clauses && clauses.length > 0 ? " " + clauses.map(text).join(" ") : ""

const memberName = (
  name: ts.PropertyName | undefined
): string => (name ? name.getText() : "")

const fieldsOf = (
  members: ts.NodeArray<ts.TypeElement | ts.ClassElement>,
  source: ts.SourceFile
): Array<Field> =>
  members.flatMap((member): Array<Field> => {
    if (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) {
      if (ts.isPropertyDeclaration(member) && !isPublic(member)) return []
      return [{
        name: memberName(member.name),
        type: text(member.type),
        optional: member.questionToken !== undefined,
        doc: docOf(member, source)
      }]
    }
    if (ts.isMethodSignature(member) || ts.isMethodDeclaration(member)) {
      if (ts.isMethodDeclaration(member) && !isPublic(member)) return []
      const params = member.parameters.map(text).join(", ")
      return [{
        name: memberName(member.name),
        type: `${typeParams(member.typeParameters)}(${params}) => ${text(member.type) || "unknown"}`,
        optional: member.questionToken !== undefined,
        doc: docOf(member, source)
      }]
    }
    return []
  })

const isPublic = (member: ts.ClassElement): boolean =>
  !(ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []).some((
    m
  ) =>
    m.kind === ts.SyntaxKind.PrivateKeyword ||
    m.kind === ts.SyntaxKind.ProtectedKeyword
  ) && !(member.name !== undefined && ts.isPrivateIdentifier(member.name))

const functionSignature = (node: ts.FunctionDeclaration): string =>
  `function ${node.name?.text ?? "default"}${typeParams(node.typeParameters)}(${
    node.parameters.map(text).join(", ")
  })` +
  (node.type ? `: ${text(node.type)}` : "")

const docWeight = (doc: Doc | undefined): number =>
  doc === undefined ? 0 : doc.summary.length + doc.tags.reduce((n, t) => n + t.text.length, 0)

// A value and a type of the same name (`const X` + `type X`, a class's companion type) are one export.
const mergeByName = (entries: ReadonlyArray<Entry>): Array<Entry> => {
  const merged = new Map<string, Entry>()
  for (const entry of entries) {
    const previous = merged.get(entry.name)
    if (previous === undefined) {
      merged.set(entry.name, entry)
      continue
    }
    merged.set(entry.name, {
      name: entry.name,
      kind: previous.kind === entry.kind ? previous.kind : `${previous.kind} + ${entry.kind}`,
      signature: `${previous.signature}\n${entry.signature}`,
      doc: docWeight(entry.doc) > docWeight(previous.doc) ? entry.doc : previous.doc,
      fields: [...previous.fields, ...entry.fields]
    })
  }
  return [...merged.values()]
}

/** Entries of the statements of a module or namespace body; `prefix` qualifies names inside a namespace. */
const entriesOf = (
  statements: ReadonlyArray<ts.Statement>,
  source: ts.SourceFile,
  prefix: string,
  inAmbientNamespace: boolean
): Array<Entry> => {
  const entries: Array<Entry> = []
  for (const node of statements) {
    if (!inAmbientNamespace && !isExported(node)) continue
    const doc = docOf(node, source)
    if (ts.isVariableStatement(node)) {
      const keyword = node.declarationList.flags & ts.NodeFlags.Const ? "const" : "let"
      for (const decl of node.declarationList.declarations) {
        const name = decl.name.getText()
        const type = decl.type ? text(decl.type) : "(type not declared)"
        entries.push({
          name: prefix + name,
          kind: keyword,
          signature: `${keyword} ${name}: ${type}`,
          doc,
          fields: []
        })
      }
    } else if (ts.isFunctionDeclaration(node) && node.name) {
      const name = prefix + node.name.text
      const previous = entries.find((e) => e.name === name && e.kind === "function")
      const signature = functionSignature(node)
      // Overloads: one entry, every declared signature; the implementation adds nothing when overloads exist.
      if (previous) {
        if (node.body === undefined) {
          entries[entries.indexOf(previous)] = {
            ...previous,
            signature: previous.signature + "\n" + signature,
            doc: previous.doc ?? doc
          }
        }
      } else {
        entries.push({ name, kind: "function", signature, doc, fields: [] })
      }
    } else if (ts.isInterfaceDeclaration(node)) {
      entries.push({
        name: prefix + node.name.text,
        kind: "interface",
        signature: `interface ${node.name.text}${typeParams(node.typeParameters)}${heritage(node.heritageClauses)}`,
        doc,
        fields: fieldsOf(node.members, source)
      })
    } else if (ts.isTypeAliasDeclaration(node)) {
      const fields = ts.isTypeLiteralNode(node.type) ? fieldsOf(node.type.members, source) : []
      entries.push({
        name: prefix + node.name.text,
        kind: "type",
        signature: `type ${node.name.text}${typeParams(node.typeParameters)} = ${text(node.type)}`,
        doc,
        fields
      })
    } else if (ts.isClassDeclaration(node) && node.name) {
      const typeLiteralFields = (node.heritageClauses ?? [])
        .flatMap((clause) => clause.types)
        .flatMap((type) => type.typeArguments ?? [])
        .flatMap((
          arg
        ) => (ts.isTypeLiteralNode(arg) ? fieldsOf(arg.members, source) : []))
      entries.push({
        name: prefix + node.name.text,
        kind: "class",
        signature: `class ${node.name.text}${typeParams(node.typeParameters)}${heritage(node.heritageClauses)}`,
        doc,
        fields: [
          ...typeLiteralFields,
          ...fieldsOf(node.members, source).filter((f) => f.doc !== undefined)
        ]
      })
    } else if (
      ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)
    ) {
      const ambient = (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
      entries.push(
        ...entriesOf(
          node.body.statements,
          source,
          `${prefix}${node.name.getText()}.`,
          ambient
        )
      )
    } else if (ts.isEnumDeclaration(node)) {
      entries.push({
        name: prefix + node.name.text,
        kind: "enum",
        signature: `enum ${node.name.text} { ${node.members.map(text).join(", ")} }`,
        doc,
        fields: []
      })
    } else if (
      ts.isExportDeclaration(node) && node.exportClause &&
      ts.isNamedExports(node.exportClause)
    ) {
      for (const spec of node.exportClause.elements) {
        const from = node.moduleSpecifier ? ` from ${text(node.moduleSpecifier)}` : ""
        entries.push({
          name: prefix + spec.name.text,
          kind: "re-export",
          signature: `export { ${text(spec)} }${from}`,
          doc: docOf(node, source),
          fields: []
        })
      }
    }
  }
  return entries
}

const moduleHeader = (source: ts.SourceFile): string | undefined => {
  const first = source.statements[0]
  if (first === undefined) return undefined
  const docs = (ts.getLeadingCommentRanges(source.text, first.getFullStart()) ?? [])
    .filter((r) => source.text.startsWith("/**", r.pos))
  // The first doc comment is the module's own unless it is the only one and documents an export.
  const header = docs[0]
  if (header === undefined || (docs.length < 2 && isExported(first))) {
    return undefined
  }
  return parseDoc(source.text.slice(header.pos, header.end)).summary ||
    undefined
}

const readPackage = (dir: string): Package | undefined => {
  const manifest = readText(join(dir, "package.json"))
  if (manifest === undefined) return undefined
  let name = dir.split("/").at(-1)!
  let description = ""
  try {
    const json = JSON.parse(manifest) as {
      name?: string
      description?: string
      private?: boolean
    }
    // Private workspace packages (the test kit) are not part of the published API.
    if (json.private === true) return undefined
    name = json.name ?? name
    description = json.description ?? ""
  } catch {
    // An unparsable manifest still gets a page under its folder name.
  }
  const indexPath = join(dir, "src", "index.ts")
  const index = readText(indexPath)
  if (index === undefined) {
    return { dir, name, description, namespaces: [], hasIndex: false }
  }
  const indexSource = parse(indexPath, index)
  const namespaces: Array<Namespace> = []
  for (const statement of indexSource.statements) {
    if (
      !ts.isExportDeclaration(statement) || !statement.exportClause ||
      !ts.isNamespaceExport(statement.exportClause) ||
      !statement.moduleSpecifier ||
      !ts.isStringLiteral(statement.moduleSpecifier)
    ) continue
    const nsName = statement.exportClause.name.text
    const indexDoc = docOf(statement, indexSource)?.summary || undefined
    const file = statement.moduleSpecifier.text
    const modulePath = join(dir, "src", file)
    const moduleText = readText(modulePath)
    if (moduleText === undefined) {
      namespaces.push({
        name: nsName,
        file,
        missing: true,
        header: indexDoc,
        entries: []
      })
      continue
    }
    const source = parse(modulePath, moduleText)
    namespaces.push({
      name: nsName,
      file,
      missing: false,
      header: moduleHeader(source) ?? indexDoc,
      entries: mergeByName(entriesOf(source.statements, source, "", false))
    })
  }
  return { dir, name, description, namespaces, hasIndex: true }
}

// Markdown pages are Vue templates: prose escapes `<`, `{{` and `}}`; code is rendered inside `v-pre`.
const escapeProse = (s: string): string => {
  const parts = s.split(/(`[^`\n]*`)/)
  return parts
    .map((part, i) =>
      i % 2 === 1 ? /\{\{|\}\}/.test(part) ? `<code v-pre>${escapeHtml(part.slice(1, -1))}</code>` : part : part
        .replace(
          /\{@link\s+([^}|\s]+)(?:[\s|]+([^}]*))?\}/g,
          (_, target: string, label?: string) => `\`${label?.trim() || target}\``
        )
        .replace(/</g, "&lt;")
        .replace(/\{\{/g, "&#123;&#123;")
        .replace(/\}\}/g, "&#125;&#125;")
    )
    .join("")
}

const escapeCell = (s: string): string => escapeProse(s).replace(/\|/g, "\\|").replace(/\n+/g, " ")

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const codeCell = (s: string): string =>
  s === "" ? "" : `<code v-pre>${escapeHtml(s).replace(/\|/g, "&#124;").replace(/\n\s*/g, " ")}</code>`

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")

// Export anchors keep their case: `FaultServer.stats` and `FaultServer.Stats` are different exports.
const anchor = (qualified: string): string => qualified.replace(/[^A-Za-z0-9]+/g, "-")

const fence = (code: string, lang = "ts"): string => {
  const longest = Math.max(
    2,
    ...(code.match(/`+/g) ?? []).map((m) => m.length)
  )
  const ticks = "`".repeat(longest + 1)
  return `${ticks}${lang}\n${code}\n${ticks}`
}

const exampleBlock = (example: string): string => /^\s*```/m.test(example) ? example : fence(example)

const shortName = (pkg: Package): string => pkg.name.replace(/^@[^/]+\//, "")

const renderEntry = (ns: Namespace, entry: Entry): string => {
  const out: Array<string> = []
  const qualified = `${ns.name}.${entry.name}`
  out.push(`### ${qualified} {#${anchor(qualified)}}`, "")
  const meta = [
    entry.kind,
    tag(entry.doc, "category") && `category: ${tag(entry.doc, "category")}`,
    tag(entry.doc, "since") && `since ${tag(entry.doc, "since")}`,
    entry.doc?.tags.some((t) => t.name === "deprecated") && "**deprecated**"
  ].filter(Boolean)
  out.push(
    `<Badge type="info" text="${meta[0]}" /> ${meta.slice(1).join(" · ")}`
      .trimEnd(),
    ""
  )
  out.push(
    entry.doc?.summary ? escapeProse(entry.doc.summary) : "_Not documented yet._",
    ""
  )
  out.push(fence(entry.signature), "")
  if (entry.fields.length > 0) {
    out.push("| field | type | default | description |", "|---|---|---|---|")
    for (const field of entry.fields) {
      const def = tag(field.doc, "default")
      out.push(
        `| ${codeCell(field.name + (field.optional ? "?" : ""))} | ${codeCell(field.type)} | ${
          def ? codeCell(def.replace(/^`|`$/g, "")) : ""
        } | ${field.doc ? escapeCell(field.doc.summary) : ""} |`
      )
    }
    out.push("")
  }
  for (const t of entry.doc?.tags ?? []) {
    if (t.name === "example" && t.text !== "") {
      out.push("**Example**", "", exampleBlock(t.text), "")
    }
    if (t.name === "see" && t.text !== "") {
      out.push(`See: ${escapeProse(t.text)}`, "")
    }
  }
  return out.join("\n")
}

const firstSentence = (summary: string): string => {
  const paragraph = summary.split(/\n\s*\n/)[0]!.replace(/\s+/g, " ").trim()
  return /^.*?(?<!\be\.g|\bi\.e)[.!?](?=\s|$)/.exec(paragraph)?.[0] ?? paragraph
}

const categoryOrder = (category: string): string => {
  const preferred = [
    "constructors",
    "combinators",
    "getters",
    "errors",
    "models",
    "metrics",
    "layers",
    "utils"
  ]
  const i = preferred.indexOf(category)
  return `${i === -1 ? 9 : i}${category}`
}

const renderPackage = (pkg: Package): string => {
  const out: Array<string> = [`# ${pkg.name}`, ""]
  if (pkg.description) out.push(escapeProse(pkg.description), "")
  out.push(
    "::: info Generated",
    "This page is generated from the TSDoc in the package source by `scripts/api-docs.ts`.",
    ":::",
    ""
  )
  if (!pkg.hasIndex || pkg.namespaces.length === 0) {
    out.push("Coming: this package has no public API yet.", "")
    return out.join("\n")
  }
  out.push(
    fence(
      `import { ${pkg.namespaces.map((ns) => ns.name).join(", ")} } from "${pkg.name}"`
    ),
    ""
  )
  for (const ns of pkg.namespaces) {
    out.push(`## ${ns.name} {#${slug(ns.name)}}`, "")
    if (ns.header) out.push(escapeProse(ns.header), "")
    if (ns.missing) {
      out.push(`Coming: \`${ns.file}\` is not written yet.`, "")
      continue
    }
    if (ns.entries.length === 0) {
      out.push("No exports yet.", "")
      continue
    }
    const byCategory = new Map<string, Array<Entry>>()
    for (const entry of ns.entries) {
      const category = tag(entry.doc, "category") ?? "uncategorized"
      byCategory.set(category, [...(byCategory.get(category) ?? []), entry])
    }
    const categories = [...byCategory.keys()].sort((a, b) => categoryOrder(a).localeCompare(categoryOrder(b)))
    out.push("| export | kind | category | summary |", "|---|---|---|---|")
    for (const category of categories) {
      for (const entry of byCategory.get(category)!) {
        const qualified = `${ns.name}.${entry.name}`
        const firstLine = firstSentence(entry.doc?.summary ?? "")
        out.push(
          `| [${qualified}](#${anchor(qualified)}) | ${entry.kind} | ${category} | ${escapeCell(firstLine)} |`
        )
      }
    }
    out.push("")
    for (const category of categories) {
      for (const entry of byCategory.get(category)!) {
        out.push(renderEntry(ns, entry))
      }
    }
  }
  return out.join("\n")
}

const renderIndex = (packages: ReadonlyArray<Package>): string => {
  const out: Array<string> = [
    "# API reference",
    "",
    "Generated from the TSDoc of each package's public API (`packages/<pkg>/src/index.ts` and the namespace modules it re-exports).",
    "",
    "| package | namespaces | description |",
    "|---|---|---|"
  ]
  for (const pkg of packages) {
    const namespaces = pkg.namespaces.map((ns) => `[${ns.name}](./${shortName(pkg)}#${slug(ns.name)})`).join(", ")
    out.push(
      `| [${pkg.name}](./${shortName(pkg)}) | ${namespaces || "coming"} | ${escapeCell(pkg.description)} |`
    )
  }
  out.push("")
  return out.join("\n")
}

const main = () => {
  const args = process.argv.slice(2)
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(name)
    return i >= 0 && args[i + 1] ? resolve(args[i + 1]!) : fallback
  }
  const packagesDir = arg("--packages", join(root, "packages"))
  const outDir = arg("--out", join(root, "docs", "api"))
  const dirs = existsSync(packagesDir)
    ? readdirSync(packagesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== "node_modules")
      .map((d) => join(packagesDir, d.name))
      .sort()
    : []
  const packages: Array<Package> = []
  for (const dir of dirs) {
    try {
      const pkg = readPackage(dir)
      if (pkg) packages.push(pkg)
    } catch (error) {
      // One broken package must not take the whole reference down.
      console.warn(
        `api-docs: skipped ${dir}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, "index.md"), renderIndex(packages))
  for (const pkg of packages) {
    writeFileSync(
      join(outDir, `${shortName(pkg)}.md`),
      renderPackage(pkg) + "\n"
    )
  }
  const count = packages.reduce(
    (n, p) => n + p.namespaces.reduce((m, ns) => m + ns.entries.length, 0),
    0
  )
  console.log(
    `api-docs: ${packages.length} packages, ${count} exports -> ${outDir}`
  )
}

main()
