// Preloaded (node --import) into the companion server that harness.mjs starts: the harness holds the
// write end of the server's stdin, so when the harness dies without stopping the server (SIGKILL, a
// crash), the pipe closes and the server shuts down as on SIGTERM instead of living on as an orphan.
const stop = () => process.kill(process.pid, 'SIGTERM');
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
