using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace DaprVideo.Tests.Infrastructure;

/// <summary>
/// A real single-node Ceph cluster with its S3 gateway on loopback, started once for every test
/// in <see cref="CephRgwCollectionDefinition"/> by tests/infra/ceph/start-rgw.sh and stopped at the end.
/// If Ceph cannot start, every test of the collection fails with the script's reason.
/// </summary>
public sealed class CephRgwFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    // Short and under /tmp: Ceph's admin sockets live in it and Unix socket paths are limited.
    private readonly string _scratch = Directory.CreateTempSubdirectory("dv-ceph-").FullName;
    private bool _started;

    /// <summary>S3 endpoint, e.g. http://127.0.0.1:41234 (path-style addressing only).</summary>
    public string Endpoint { get; private set; } = "";

    public string AccessKey { get; private set; } = "";

    public string SecretKey { get; private set; } = "";

    /// <summary>The bucket the script created (the product default, daprvideo).</summary>
    public string Bucket { get; private set; } = "";

    /// <summary>How long the cluster took to answer S3, measured around the start script.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>Folder holding the cluster's config, logs and pid files (ceph.conf for the ceph CLI).</summary>
    public string ScratchDirectory => _scratch;

    private static string Script(string name) => Path.Combine(RepoPaths.Root, "tests", "infra", "ceph", name);

    public async Task InitializeAsync()
    {
        var port = FreeLoopbackPort();
        var clock = Stopwatch.StartNew();
        _started = true; // from here on a failure may leave daemons behind: Dispose stops them
        var (exitCode, stdout, stderr) = await RunAsync(Script("start-rgw.sh"), StartTimeout, _scratch, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        StartDuration = clock.Elapsed;
        if (exitCode != 0)
            throw new InvalidOperationException(FailureMessage(exitCode, stderr));

        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("endpoint=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("start-rgw.sh succeeded but printed no endpoint line: " + stdout.Trim());
        var fields = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        Endpoint = Field(fields, "endpoint", line);
        AccessKey = Field(fields, "access_key", line);
        SecretKey = Field(fields, "secret_key", line);
        Bucket = Field(fields, "bucket", line);
    }

    /// <summary>A new S3 client for the gateway; the caller disposes it.</summary>
    public AmazonS3Client CreateS3Client() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true, // RGW on an IP address has no virtual-host bucket names
        AuthenticationRegion = "us-east-1",
        // Ceph Pacific predates the SDK's default trailing CRC checksums (aws-chunked with trailer).
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async Task DisposeAsync()
    {
        if (_started)
        {
            var (exitCode, _, stderr) = await RunAsync(Script("stop-rgw.sh"), StopTimeout, _scratch);
            if (exitCode != 0)
                throw new InvalidOperationException($"stop-rgw.sh failed ({exitCode}): {stderr.Trim()}");
        }
        try { Directory.Delete(_scratch, recursive: true); }
        catch (IOException) { /* the OS temp cleaner gets it */ }
        catch (UnauthorizedAccessException) { /* same */ }
    }

    private static string Field(Dictionary<string, string> fields, string name, string line) =>
        fields.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new InvalidOperationException($"start-rgw.sh printed no '{name}': {line}");

    // The script's own first line is the reason; the log tail under it helps whoever reads the failure.
    private static string FailureMessage(int exitCode, string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var reasonAt = Array.FindIndex(lines, l => l.StartsWith("start-rgw: ", StringComparison.Ordinal));
        if (reasonAt < 0)
            return $"Ceph RGW did not start (start-rgw.sh exit {exitCode}): {stderr.Trim()}";
        return "Ceph RGW did not start: " + lines[reasonAt] + Environment.NewLine + string.Join(Environment.NewLine, lines.Skip(reasonAt + 1));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args) info.ArgumentList.Add(arg);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, $"{Path.GetFileNameWithoutExtension(script)}: FAILED: no answer within {timeout.TotalSeconds:0} s\n" + await stderr);
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
