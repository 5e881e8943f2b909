// Ignores SIGTERM and runs until SIGKILL.
process.on("SIGTERM", () => console.log("SIGTERM received, ignoring it"))
console.log("ready")
setInterval(() => {}, 1000)
