using System.Collections.Concurrent;
using System.Diagnostics;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// Starts child processes so that they die with us, even when we are SIGKILLed and no cleanup code runs. On Linux the
/// child is started as <c>setpriv --pdeathsig KILL -- program args</c> (util-linux): setpriv sets PR_SET_PDEATHSIG and
/// execs the program in the same process. The kernel sends that signal when the parent <em>thread</em> ends (prctl(2):
/// "the thread that created this process"), not only the parent process, and .NET forks on the thread that calls
/// <see cref="Process.Start()"/>: a thread-pool thread that retires after idling would kill our ffmpeg. So every start
/// runs on one dedicated thread that lives as long as the process.
/// </summary>
/// <remarks>
/// Not covered: the instant between fork and setpriv's prctl (a parent killed exactly then leaves the child to init),
/// and systems without setpriv (the program is started directly; tests assert setpriv is there on Linux).
/// </remarks>
internal static class ParentBoundStart
{
    private const string SetPriv = "/usr/bin/setpriv";

    private static readonly BlockingCollection<Request> Requests = [];
    private static readonly Lazy<Thread> Launcher = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "child-process-launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>True where children are bound to this process (Linux with setpriv).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && File.Exists(SetPriv);

    /// <summary>Starts <paramref name="process"/> bound to this process where possible; throws what <see cref="Process.Start()"/> throws.</summary>
    public static void Start(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!IsAvailable)
        {
            process.Start();
            return;
        }
        var info = process.StartInfo;
        // setpriv looks the program up on PATH itself (execvp); a missing one ends it with exit code 127 and its reason on stderr.
        var program = info.FileName;
        var arguments = info.ArgumentList.ToList();
        info.ArgumentList.Clear();
        foreach (var a in new[] { "--pdeathsig", "KILL", "--", program }.Concat(arguments)) info.ArgumentList.Add(a);
        info.FileName = SetPriv;

        var request = new Request(process);
        _ = Launcher.Value;
        Requests.Add(request);
        request.Done.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var request in Requests.GetConsumingEnumerable())
        {
            try
            {
                request.Process.Start();
                request.Done.SetResult();
            }
            catch (Exception e)
            {
                request.Done.SetException(e);
            }
        }
    }

    private sealed class Request(Process process)
    {
        public Process Process { get; } = process;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
