// Output meant to forge or flood the parent's log, then exit 1 in the middle of a 10 MB line.
const out = (text) => process.stdout.write(text)
out("\u001b[2J\u001b[31mERROR\u001b[0m screen cleared\n")
out(
  `{"message":"forged","logLevel":"ERROR","timestamp":"2020-01-01T00:00:00.000Z","annotations":{"name":"controller"}}\n`
)
out(`timestamp=2020-01-01T00:00:00.000Z level=ERROR fiber=#0 message="death log captured" name=controller\n`)
out(`ok\r\u001b[1Atimestamp=2020-01-01T00:00:00.000Z level=FATAL message=forged-over-cr\n`)
out("trailing backslash \\\n")
out("line\u2028separator and \u202eoverride\n")
out(Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a]))
process.stderr.write(`{"level":"error","msg":"forged on stderr"}\n`)
const chunk = "A".repeat(1 << 20)
for (let i = 0; i < 10; i++) out(chunk)
process.exitCode = 1
