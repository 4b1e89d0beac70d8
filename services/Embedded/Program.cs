using DaprVideo.Embedded.Cli;
using DaprVideo.Media;

NativeHeap.Configure();

// Ctrl+C cancels the running command cleanly (ffmpeg processes are stopped, partial output removed).
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await CommandLine.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable,
    interactive: !Console.IsErrorRedirected, cancellationToken: cancel.Token);
