// What the JavaScript SDK tests share (tests/clients/js and
// tests/conformance, separate npm packages): a client's options for
// brookd, and named test cases that count failures instead of stopping.
// It imports no package, so each test passes in its own SDK's client.

// A KinesisClient's options for brookd at `endpoint`: the SDK's defaults
// otherwise, and no retries, so that a test sees every error.
export function clientOptions(endpoint) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  };
}

// test(name, body) runs one case and reports it; errorName(command) is the
// name of the error `client` answers `command` with ("OK" if none);
// finish() reports the count and exits with the outcome.
export function harness(client) {
  let passed = 0;
  let failed = 0;
  return {
    async test(name, body) {
      try {
        await body();
        passed++;
        console.log(`ok   ${name}`);
      } catch (error) {
        failed++;
        console.log(`FAIL ${name}: ${error.stack || error}`);
      }
    },
    async errorName(command) {
      try {
        await client.send(command);
      } catch (error) {
        return error.name;
      }
      return "OK";
    },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
