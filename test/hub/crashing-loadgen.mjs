// A stand-in for a `peakwatch run` that breaks before reporting anything: it says why on its
// output and exits 4 ("run error", core/run.ts runExitCodes), as the real generator does on a crash.
console.error("generator crashed: boom at start-up");
process.exit(4);
