/**
 * Typechecks every `@example` in the packages' JSDoc: each is extracted to its own module under
 * `examples/.doc-examples/` (where every package resolves) and compiled with the project's settings.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

const root = path.resolve(import.meta.dirname, "..")
const out = path.join(root, "examples", ".doc-examples")
fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })

const files: Array<string> = []
for (const pkg of fs.readdirSync(path.join(root, "packages"))) {
  const dir = path.join(root, "packages", pkg, "src")
  if (!fs.existsSync(dir)) continue
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8")
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    let n = 0
    const visit = (node: ts.Node) => {
      for (const tag of ts.getJSDocTags(node)) {
        if (tag.tagName.text !== "example") continue
        const body = ts.getTextOfJSDocComment(tag.comment) ?? ""
        const code = body.replace(/^```\w*\n?/, "").replace(/```\s*$/, "")
        const name = `${pkg}-${file.replace(/\.ts$/, "")}-${++n}.ts`
        fs.writeFileSync(path.join(out, name), `// ${pkg}/src/${file}\n${code}\nexport {}\n`)
        files.push(name)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
}
fs.writeFileSync(
  path.join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../tsconfig.base.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, lib: ["ES2022", "DOM"] },
    include: ["*.ts"]
  })
)
console.log(`${files.length} examples extracted`)
