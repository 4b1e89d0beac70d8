using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// One ffmpeg/ffprobe run. Arguments go through <see cref="ProcessStartInfo.ArgumentList"/>
/// (no shell, no quoting); stderr is drained in the background keeping the last lines for errors;
/// disposing kills the whole process tree and reaps it, so a cancelled run leaves no zombie.
/// </summary>
internal sealed partial class FfmpegProcess : IAsyncDisposable
{
    private const int KeptErrorLines = 4;

    private readonly Process _process;
    private readonly Task _stderrPump;
    private readonly Queue<string> _lastErrors = new();
    private int _disposed;

    private readonly bool _redirectsInput;

    private FfmpegProcess(Process process, bool redirectsInput)
    {
        _process = process;
        _redirectsInput = redirectsInput;
        _stderrPump = PumpStderrAsync();
    }

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        try
        {
            // Bound to us: a SIGKILLed host leaves no ffmpeg behind.
            ParentBoundStart.Start(process);
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new MediaException($"Cannot start '{executable}': {e.Message}. Is ffmpeg installed?", e);
        }
        return new FfmpegProcess(process, redirectInput);
    }

    /// <summary>
    /// Writes <paramref name="input"/> to stdin and closes it. A process that stops reading early
    /// (bad data, exit) breaks the pipe; that is reported by its exit code, not here.
    /// </summary>
    public async Task FeedInputAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        var stdin = StandardInput;
        try
        {
            await stdin.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // broken pipe: the exit code and stderr tell the story
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // closing a broken pipe
            }
        }
    }

    /// <summary>ffmpeg's last stderr lines, joined into one line, without its memory addresses.</summary>
    public string LastError
    {
        get
        {
            lock (_lastErrors)
                return _lastErrors.Count == 0 ? "(no output)" : string.Join(" / ", _lastErrors);
        }
    }

    /// <summary>Waits for the exit code; cancelling kills the process tree first.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            throw;
        }
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await KillAsync().ConfigureAwait(false);
        try
        {
            await _stderrPump.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // stderr closed under us by the kill: nothing more to keep
        }
        // Process.Dispose leaves pipes read synchronously to the finalizer: a long-running host would collect
        // hundreds of open pipe descriptors between garbage collections (seen in bench/SoakBench).
        // The base streams, not the reader and writer: a writer would flush into a pipe that FeedInputAsync closed.
        _process.StandardOutput.BaseStream.Dispose();
        _process.StandardError.BaseStream.Dispose();
        if (_redirectsInput) _process.StandardInput.BaseStream.Dispose();
        _process.Dispose();
    }

    private async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        // Reap it; Kill only signals.
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task PumpStderrAsync()
    {
        var reader = _process.StandardError;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            line = AddressRegex().Replace(line, "[$1]").Trim();
            line = CredentialsRegex().Replace(line, "$1***@");
            if (line.Length == 0) continue;
            if (line.Length > 300) line = line[..300] + "...";
            lock (_lastErrors)
            {
                if (_lastErrors.Contains(line)) continue;
                _lastErrors.Enqueue(line);
                while (_lastErrors.Count > KeptErrorLines) _lastErrors.Dequeue();
            }
        }
    }

    [GeneratedRegex(@"\[(\w+) @ 0x[0-9a-f]+\]", RegexOptions.CultureInvariant)]
    private static partial Regex AddressRegex();

    // ffmpeg echoes input URLs; camera passwords must not reach logs or error messages.
    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialsRegex();
}
