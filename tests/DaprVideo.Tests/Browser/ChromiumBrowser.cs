using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// Debian's Chromium started headless with a fresh profile and a DevTools port the OS picks; the whole process
/// tree and the profile go away on dispose.
/// </summary>
public sealed partial class ChromiumBrowser : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly string _profile;
    private readonly StringBuilder _stderr;

    private ChromiumBrowser(Process process, string profile, StringBuilder stderr, DevToolsConnection connection)
    {
        _process = process;
        _profile = profile;
        _stderr = stderr;
        DevTools = connection;
    }

    public DevToolsConnection DevTools { get; }

    /// <summary>Chromium's own stderr so far (bounded), for failure messages.</summary>
    public string Diagnostics { get { lock (_stderr) return _stderr.ToString(); } }

    public static string FindExecutable() =>
        File.Exists(DefaultPath) ? DefaultPath
        : throw new InvalidOperationException($"Chromium is not installed ({DefaultPath} is missing): run `apt-get install -y chromium` " +
            "(or scripts/require-packages.sh test) to run the browser tests.");

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        var profile = Directory.CreateTempSubdirectory("daprvideo-chromium-").FullName;
        var info = new ProcessStartInfo(FindExecutable())
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--autoplay-policy=no-user-gesture-required", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", "about:blank",
        })
            info.ArgumentList.Add(arg);

        var process = Process.Start(info) ?? throw new InvalidOperationException("Chromium did not start.");
        var stderr = new StringBuilder();
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                endpoint.TrySetException(new InvalidOperationException("Chromium closed stderr before announcing its DevTools endpoint."));
                return;
            }
            lock (stderr)
                if (stderr.Length < 64 * 1024) stderr.AppendLine(e.Data);
            if (DevToolsListening().Match(e.Data) is { Success: true } m) endpoint.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            var uri = await endpoint.Task.WaitAsync(StartTimeout);
            using var connect = new CancellationTokenSource(StartTimeout);
            var connection = await DevToolsConnection.ConnectAsync(uri, connect.Token);
            return new ChromiumBrowser(process, profile, stderr, connection);
        }
        catch (Exception e)
        {
            Kill(process);
            string log;
            lock (stderr) log = stderr.ToString();
            throw new InvalidOperationException($"Chromium did not open its DevTools endpoint: {e.Message}\n{log}", e);
        }
    }

    /// <summary>A new tab, attached in flat mode, with runtime, page and log events on.</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var target = await DevTools.CallAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var targetId = target.GetProperty("targetId").GetString()!;
        var attached = await DevTools.CallAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
        var page = new BrowserPage(this, targetId, attached.GetProperty("sessionId").GetString()!);
        await page.EnableAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await DevTools.DisposeAsync();
        Kill(_process);
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); }
        catch (IOException) { /* a crashpad helper may still hold a file; the temp cleaner gets it */ }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsListening();
}
