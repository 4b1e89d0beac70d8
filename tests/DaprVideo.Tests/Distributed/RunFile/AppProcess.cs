using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace DaprVideo.Tests.Distributed.RunFile;

/// <summary>
/// One app of the run file as the Dapr CLI starts it: its <c>command</c> in its <c>appDirPath</c> with the CLI's
/// environment, output kept for the test's diagnostics. Stopped with SIGTERM (as the CLI does on Ctrl+C), killed
/// if it does not exit in time.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The process id (what its children see as their parent).</summary>
    public int Id => _process.Id;

    /// <summary>SIGKILL, no grace and no cleanup code in the process: a crash, an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>The last lines it printed (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static AppProcess Start(string name, IReadOnlyList<string> command, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        // Ignored signals survive exec: a test run started in the background of a non-interactive shell ignores SIGINT
        // and SIGQUIT, and so would the app, whatever the test sends it. coreutils' env puts them back to default first.
        var info = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT,QUIT");
        foreach (var a in command) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var app = new AppProcess(name, process);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"{name}: could not start {command[0]}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length > 64 * 1024) _output.Remove(0, _output.Length - 32 * 1024);
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGTERM, then wait up to <paramref name="grace"/> for the exit; SIGKILL after that. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (SIGTERM 15, SIGINT 2) as kill(1) would; Process.Kill would send SIGKILL.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"{Name}: kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGKILL, as a crash or the OOM killer ends it: no handler runs.</summary>
    public async Task CrashAsync()
    {
        Signal(Sigkill);
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the exit; null when it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public const int Sigint = 2;
    public const int Sigkill = 9;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    public const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
