// A job whose own tests fail: it says so, and still exits 0 (the runner did its work).
console.log("RUN  v1.0.0")
console.log(" FAIL  checkout.test.ts > applies the discount")
console.error("AssertionError: expected 90 to be 81")
console.log(" Tests  1 failed | 41 passed (42)")
process.exitCode = 0
