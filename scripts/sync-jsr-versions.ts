/**
 * `changeset version` bumps package.json; JSR reads deno.json. Copies each package's npm version into its
 * deno.json so both registries publish the same version.
 */
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..", "packages")
for (const name of fs.readdirSync(root)) {
  const npmFile = path.join(root, name, "package.json")
  const jsrFile = path.join(root, name, "deno.json")
  if (!fs.existsSync(npmFile) || !fs.existsSync(jsrFile)) continue
  const { version } = JSON.parse(fs.readFileSync(npmFile, "utf8")) as { version: string }
  const jsr = JSON.parse(fs.readFileSync(jsrFile, "utf8")) as { version?: string }
  if (jsr.version === version) continue
  jsr.version = version
  fs.writeFileSync(jsrFile, JSON.stringify(jsr, null, 2) + "\n")
  console.log(`${name}: deno.json version ${version}`)
}
