using System.Runtime.InteropServices;
using DaprVideo.Embedded.Cli;
using DaprVideo.Media;

NativeHeap.Configure();

// Ctrl+C and SIGTERM (kill, systemd, Kubernetes) cancel the running command cleanly: ffmpeg processes are stopped and
// a `process` run removes its partial output, so running it again works. Without the SIGTERM handler the runtime
// would exit at once, leaving a half-written output folder that the next run refuses to overwrite.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
return await CommandLine.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable,
    interactive: !Console.IsErrorRedirected, cancellationToken: cancel.Token);
