// Writes `count` lines ("line 0" … "line count-1") to stdout, then exits with `code`.
const [count, code] = process.argv.slice(2).map(Number)
let out = ""
for (let i = 0; i < count; i++) out += `line ${i}\n`
process.stdout.write(out)
process.exitCode = code
