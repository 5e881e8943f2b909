// Writes long lines — one of 100 KiB, then 300 of about 3 KiB — then a last line, and waits to be killed.
process.stdout.write("vitals " + "v".repeat(100 * 1024) + "\n")
for (let i = 0; i < 300; i++) process.stdout.write(`vitals ${i} ` + "x".repeat(3000) + "\n")
process.stdout.write("last line written before the kill\n")
setInterval(() => {}, 1000)
