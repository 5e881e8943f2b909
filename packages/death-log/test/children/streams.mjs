// Writes to stdout and stderr, then exits with `code`.
const code = Number(process.argv[2])
process.stdout.write("to stdout\n")
process.stderr.write("to stderr\n")
process.stdout.write("no newline at the end")
process.exitCode = code
