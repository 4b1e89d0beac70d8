using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// One app of a multi-app run file after the Dapr CLI merged <c>common</c> into it, resolved its paths and applied its
/// defaults (dapr/cli <c>pkg/runfileconfig/run_file_config_parser.go</c> <c>GetApps</c>, <c>pkg/standalone/run.go</c>
/// <c>SetDefaultFromSchema</c>/<c>Validate</c>), plus what daprd makes of the flags it is given
/// (dapr <c>cmd/daprd/options/options.go</c>, <c>pkg/runtime/config.go</c>). Built by <see cref="DaprRunFile.Load"/>.
/// </summary>
public sealed record RunFileApp
{
    /// <summary><c>appID</c>; when absent the CLI uses the last folder name of <c>appDirPath</c>.</summary>
    public required string AppId { get; init; }

    /// <summary>Absolute; relative values are relative to the run file's folder. daprd and the app both run here.</summary>
    public required string AppDirPath { get; init; }

    /// <summary>null when absent or ≤ 0 (the CLI then sets no APP_PORT and daprd opens no app channel).</summary>
    public int? AppPort { get; init; }

    /// <summary>Effective protocol daprd uses with the app: lower-cased <c>appProtocol</c> (default http; appSSL turns http/grpc into https/grpcs).</summary>
    public string AppProtocol { get; init; } = "http";

    /// <summary>The app command; empty when none (the CLI then starts daprd only).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary><c>common.env</c> merged with the app's <c>env</c> (the app's value wins for a key in both).</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Absolute. Precedence (cli <c>resolveResourcesFilePath</c>): the app's own <c>resourcesPaths</c> (relative to
    /// <c>appDirPath</c>!) &gt; <c>appDirPath/.dapr/resources</c> if it exists &gt; <c>common.resourcesPaths</c> (relative to
    /// the run file) &gt; <c>~/.dapr/components</c>. The deprecated singular <c>resourcesPath</c> is appended.
    /// </summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    /// <summary>Absolute. App's <c>configFilePath</c> (relative to <c>appDirPath</c>) &gt; <c>appDirPath/.dapr/config.yaml</c> &gt; common's &gt; <c>~/.dapr/config.yaml</c>.</summary>
    public string? ConfigFilePath { get; init; }

    /// <summary>daprd's body limit in bytes from <c>maxBodySize</c> (default "4Mi" = 4194304; a bare number is bytes; negative → -1).</summary>
    public long MaxBodyBytes { get; init; }

    /// <summary>daprd's read buffer in bytes from <c>readBufferSize</c> (default "4Ki").</summary>
    public long ReadBufferBytes { get; init; }

    public bool EnableAppHealthCheck { get; init; }

    /// <summary>null when health checks are not enabled: daprd only probes with <c>--enable-app-health-check</c>
    /// (dapr <c>pkg/runtime/config.go</c> builds <c>HealthCheck</c> only then); enabled without a path → daprd's "/healthz".</summary>
    public string? AppHealthCheckPath { get; init; }

    /// <summary>daprd's probe interval (<c>appHealthProbeInterval</c> seconds; ≤ 0 → 5 s).</summary>
    public TimeSpan AppHealthProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>daprd's probe timeout (<c>appHealthProbeTimeout</c> milliseconds; ≤ 0 → 500 ms).</summary>
    public TimeSpan AppHealthProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>daprd's failure threshold (<c>appHealthThreshold</c>; &lt; 1 → 3).</summary>
    public int AppHealthThreshold { get; init; } = 3;

    /// <summary><c>logLevel</c> passed to daprd (null: daprd's default, info).</summary>
    public string? LogLevel { get; init; }

    /// <summary><c>appChannelAddress</c> ("" when absent; the CLI still exports APP_CHANNEL_ADDRESS, empty).</summary>
    public string AppChannelAddress { get; init; } = "";

    /// <summary><c>daprHTTPPort</c>/<c>daprGRPCPort</c> when fixed in the file; null: the CLI picks a free port.</summary>
    public int? DaprHttpPort { get; init; }

    public int? DaprGrpcPort { get; init; }

    /// <summary>
    /// The environment the CLI adds for the app process (cli <c>pkg/standalone/run.go</c> <c>getEnv</c>, on top of the CLI's
    /// own environment, later entries winning as in Go's <c>exec.Cmd</c>): APP_ID, APP_CHANNEL_ADDRESS (always, maybe
    /// empty), APP_PORT (if &gt; 0), DAPR_HTTP_PORT, DAPR_GRPC_PORT, DAPR_METRICS_PORT (the CLI always picks one; here only
    /// when given), APP_PROTOCOL, then <see cref="Env"/> – so an <c>env</c> entry overrides any of them.
    /// The CLI does NOT pass <c>env</c> to daprd, and sets no DAPR_API_TOKEN / APP_API_TOKEN.
    /// </summary>
    public IReadOnlyDictionary<string, string> AppProcessEnvironment(int daprHttpPort, int daprGrpcPort, int? daprMetricsPort = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_ID"] = AppId,
            ["APP_CHANNEL_ADDRESS"] = AppChannelAddress,
        };
        if (AppPort is > 0) env["APP_PORT"] = AppPort.Value.ToString(CultureInfo.InvariantCulture);
        if (daprHttpPort > 0) env["DAPR_HTTP_PORT"] = daprHttpPort.ToString(CultureInfo.InvariantCulture);
        if (daprGrpcPort > 0) env["DAPR_GRPC_PORT"] = daprGrpcPort.ToString(CultureInfo.InvariantCulture);
        if (daprMetricsPort is > 0) env["DAPR_METRICS_PORT"] = daprMetricsPort.Value.ToString(CultureInfo.InvariantCulture);
        env["APP_PROTOCOL"] = AppProtocol;
        foreach (var (k, v) in Env) env[k] = v;
        return env;
    }
}
