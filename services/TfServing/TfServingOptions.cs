using System.Globalization;
using System.Text.RegularExpressions;
using DaprVideo.Core.Inference;

namespace DaprVideo.TfServing;

/// <summary>
/// Settings of the TF Serving client, validated at start.
/// </summary>
/// <remarks>
/// TF_SERVING_URL picks the protocol by its scheme:
/// <list type="bullet">
/// <item><c>grpc://host[:port]</c> gRPC over cleartext HTTP/2 (h2c), port 8500 by default;
/// <c>grpcs://host[:port]</c> gRPC over TLS, port 443 by default.</item>
/// <item><c>http://host[:port]</c> REST, port 8501 by default; <c>https://host[:port]</c> REST over TLS.
/// The old client's form <c>http://host:8501/v1/models/NAME[:predict]</c> is accepted too and supplies
/// the model name.</item>
/// </list>
/// Anything else (other schemes, paths, queries, credentials in the URL) is rejected.
/// </remarks>
public sealed partial record TfServingOptions
{
    public const string UrlVariable = "TF_SERVING_URL";
    public const string ModelVariable = "TF_SERVING_MODEL";
    public const string InputSizeVariable = "TF_SERVING_INPUT_SIZE";
    public const string TimeoutVariable = "TF_SERVING_TIMEOUT_MS";
    public const string BatchSizeVariable = "BATCH_SIZE";
    public const string BatchTimeoutVariable = "BATCH_TIMEOUT_MS";
    public const string ScoreThresholdVariable = "SCORE_THRESHOLD";
    public const string DebugVariable = "DEBUG";

    public const string DefaultUrl = "grpc://localhost:8500";
    public const int GrpcDefaultPort = 8500;
    public const int RestDefaultPort = 8501;

    /// <summary><see cref="InputSize"/> value that sends frames at their own size.</summary>
    public const int FullFrame = 0;

    /// <summary>Base address of the server: http(s)://host:port (for gRPC too: that is what the channel wants).</summary>
    public Uri Endpoint { get; init; } = new("http://localhost:8500");

    public TfServingProtocol Protocol { get; init; } = TfServingProtocol.Grpc;

    /// <summary>TF Serving's own default model name is <c>default</c>.</summary>
    public string ModelName { get; init; } = "default";

    public string SignatureName { get; init; } = "serving_default";

    /// <summary>Input alias of the Object Detection API signature.</summary>
    public string InputName { get; init; } = "inputs";

    /// <summary>Frames are resized to InputSize x InputSize (the model's own input), or sent whole when <see cref="FullFrame"/>.</summary>
    public int InputSize { get; init; } = 300;

    /// <summary>Detections below this score are dropped (the server returns its top 100 regardless).</summary>
    public float ScoreThreshold { get; init; } = 0.5f;

    public int BatchSize { get; init; } = 8;

    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Batches in flight at once: two overlap the network with the server's model time.</summary>
    public int MaxConcurrentBatches { get; init; } = 2;

    public bool Debug { get; init; }

    /// <summary>Deadline of one attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, on transient failures only.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>First retry delay; doubles each time, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Share of failed calls within <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    public int BreakerMinimumThroughput { get; init; } = 4;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call is let through.</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response accepted (and request sent).</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The batching the Inference service puts in front of this client.</summary>
    public FrameBatcherOptions ToBatcherOptions() => new()
    {
        BatchSize = BatchSize,
        BatchTimeout = BatchTimeout,
        QueueCapacity = Math.Max(BatchSize * 4, 32),
        MaxConcurrentBatches = MaxConcurrentBatches,
    };

    /// <summary>Options for <paramref name="url"/> (same rules as TF_SERVING_URL); other settings default.</summary>
    public static TfServingOptions FromUrl(string url, string? modelName = null)
    {
        var (endpoint, protocol, modelFromPath) = ParseUrl(url);
        if (modelName is not null && modelFromPath is not null && modelName != modelFromPath)
            throw new TfServingConfigurationException(ModelVariable,
                $"'{modelName}' differs from model '{modelFromPath}' named in {UrlVariable}.");
        var options = new TfServingOptions
        {
            Endpoint = endpoint,
            Protocol = protocol,
            ModelName = modelName ?? modelFromPath ?? "default",
        };
        options.Validate();
        return options;
    }

    /// <summary>Reads and validates TF_SERVING_URL, TF_SERVING_MODEL, TF_SERVING_INPUT_SIZE,
    /// TF_SERVING_TIMEOUT_MS, BATCH_SIZE, BATCH_TIMEOUT_MS, SCORE_THRESHOLD and DEBUG.</summary>
    public static TfServingOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? Get(string name) => string.IsNullOrWhiteSpace(getVariable(name)) ? null : getVariable(name)!.Trim();

        var options = FromUrl(Get(UrlVariable) ?? DefaultUrl, Get(ModelVariable));
        var defaults = new TfServingOptions();
        options = options with
        {
            InputSize = ParseInputSize(Get(InputSizeVariable)) ?? defaults.InputSize,
            RequestTimeout = ParseMilliseconds(TimeoutVariable, Get(TimeoutVariable), 10, 600_000) ?? defaults.RequestTimeout,
            BatchSize = ParseInt(BatchSizeVariable, Get(BatchSizeVariable), 1, 256) ?? defaults.BatchSize,
            BatchTimeout = ParseMilliseconds(BatchTimeoutVariable, Get(BatchTimeoutVariable), 0, 60_000) ?? defaults.BatchTimeout,
            ScoreThreshold = ParseScore(Get(ScoreThresholdVariable)) ?? defaults.ScoreThreshold,
            Debug = ParseBool(DebugVariable, Get(DebugVariable)) ?? false,
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="TfServingConfigurationException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            throw new TfServingConfigurationException(UrlVariable, "endpoint must be an absolute http(s) address.");
        if (!ModelNamePattern().IsMatch(ModelName ?? ""))
            throw new TfServingConfigurationException(ModelVariable,
                $"'{ModelName}' is not a model name (letters, digits, '_', '-', '.'; at most 128).");
        if (!ModelNamePattern().IsMatch(SignatureName ?? ""))
            throw new TfServingConfigurationException(nameof(SignatureName), $"'{SignatureName}' is not a signature name.");
        if (string.IsNullOrEmpty(InputName))
            throw new TfServingConfigurationException(nameof(InputName), "must not be empty.");
        if (InputSize != FullFrame && InputSize is < 16 or > 4096)
            throw new TfServingConfigurationException(InputSizeVariable, $"{InputSize} must be 16..4096 or 'full'.");
        if (!(ScoreThreshold >= 0f && ScoreThreshold <= 1f))
            throw new TfServingConfigurationException(ScoreThresholdVariable, $"{ScoreThreshold} must be 0..1.");
        if (BatchSize is < 1 or > 256)
            throw new TfServingConfigurationException(BatchSizeVariable, $"{BatchSize} must be 1..256.");
        if (BatchTimeout < TimeSpan.Zero || BatchTimeout > TimeSpan.FromMinutes(1))
            throw new TfServingConfigurationException(BatchTimeoutVariable, $"{BatchTimeout.TotalMilliseconds} ms must be 0..60000.");
        if (MaxConcurrentBatches is < 1 or > 64)
            throw new TfServingConfigurationException(nameof(MaxConcurrentBatches), $"{MaxConcurrentBatches} must be 1..64.");
        if (RequestTimeout < TimeSpan.FromMilliseconds(10) || RequestTimeout > TimeSpan.FromMinutes(10))
            throw new TfServingConfigurationException(TimeoutVariable, $"{RequestTimeout.TotalMilliseconds} ms must be 10..600000.");
        if (MaxRetryAttempts is < 0 or > 20)
            throw new TfServingConfigurationException(nameof(MaxRetryAttempts), $"{MaxRetryAttempts} must be 0..20.");
        if (RetryBaseDelay < TimeSpan.Zero || MaxRetryDelay < RetryBaseDelay)
            throw new TfServingConfigurationException(nameof(RetryBaseDelay), "retry delays must be >= 0 and base <= max.");
        if (!(BreakerFailureRatio > 0 && BreakerFailureRatio <= 1))
            throw new TfServingConfigurationException(nameof(BreakerFailureRatio), $"{BreakerFailureRatio} must be in (0, 1].");
        if (BreakerMinimumThroughput < 2)
            throw new TfServingConfigurationException(nameof(BreakerMinimumThroughput), "must be at least 2 (Polly's minimum).");
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
            throw new TfServingConfigurationException(nameof(BreakerSamplingDuration), "must be at least 500 ms (Polly's minimum).");
        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
            throw new TfServingConfigurationException(nameof(BreakerBreakDuration), "must be at least 500 ms (Polly's minimum).");
        if (MaxMessageBytes < 1024)
            throw new TfServingConfigurationException(nameof(MaxMessageBytes), "must be at least 1024.");
    }

    private static (Uri Endpoint, TfServingProtocol Protocol, string? ModelFromPath) ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new TfServingConfigurationException(UrlVariable, $"'{url}' is not an absolute URL (e.g. grpc://host:8500 or http://host:8501).");
        var (protocol, scheme, defaultPort) = uri.Scheme switch
        {
            "grpc" => (TfServingProtocol.Grpc, Uri.UriSchemeHttp, GrpcDefaultPort),
            "grpcs" => (TfServingProtocol.Grpc, Uri.UriSchemeHttps, 443),
            "http" => (TfServingProtocol.Rest, Uri.UriSchemeHttp, RestDefaultPort),
            "https" => (TfServingProtocol.Rest, Uri.UriSchemeHttps, 443),
            _ => throw new TfServingConfigurationException(UrlVariable,
                $"scheme '{uri.Scheme}' unknown: use grpc://, grpcs:// (gRPC) or http://, https:// (REST)."),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new TfServingConfigurationException(UrlVariable, "credentials in the URL are not supported.");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new TfServingConfigurationException(UrlVariable, "a query or fragment is not allowed.");

        string? model = null;
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.Length > 0)
        {
            var match = protocol == TfServingProtocol.Rest ? RestPathPattern().Match(path) : Match.Empty;
            if (!match.Success)
                throw new TfServingConfigurationException(UrlVariable,
                    $"path '{uri.AbsolutePath}' not allowed: give host and port only" +
                    (protocol == TfServingProtocol.Rest ? " (or /v1/models/NAME)." : "."));
            model = match.Groups["model"].Value;
        }
        var port = uri.IsDefaultPort && !HasExplicitPort(url) ? defaultPort : uri.Port;
        var builder = new UriBuilder(scheme, uri.Host, port);
        return (builder.Uri, protocol, model);
    }

    // Uri reports the scheme default (80 for http) when the URL names no port; we want TF Serving's.
    private static bool HasExplicitPort(string url)
    {
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = url.IndexOfAny(['/', '?', '#'], afterScheme);
        var authority = end < 0 ? url[afterScheme..] : url[afterScheme..end];
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']');
    }

    private static int? ParseInputSize(string? value)
    {
        if (value is null) return null;
        if (value.Equals("full", StringComparison.OrdinalIgnoreCase)) return FullFrame;
        return ParseInt(InputSizeVariable, value, 16, 4096);
    }

    private static int? ParseInt(string variable, string? value, int min, int max)
    {
        if (value is null) return null;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new TfServingConfigurationException(variable, $"'{value}' must be an integer {min}..{max}.");
        return n;
    }

    private static TimeSpan? ParseMilliseconds(string variable, string? value, int min, int max) =>
        ParseInt(variable, value, min, max) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    private static float? ParseScore(string? value)
    {
        if (value is null) return null;
        if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || !(f >= 0f && f <= 1f))
            throw new TfServingConfigurationException(ScoreThresholdVariable, $"'{value}' must be a number 0..1.");
        return f;
    }

    private static bool? ParseBool(string variable, string? value) => value?.ToUpperInvariant() switch
    {
        null => null,
        "1" or "TRUE" or "YES" or "ON" => true,
        "0" or "FALSE" or "NO" or "OFF" => false,
        _ => throw new TfServingConfigurationException(variable, $"'{value}' must be true/false (or 1/0)."),
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ModelNamePattern();

    [GeneratedRegex("^/v1/models/(?<model>[A-Za-z0-9][A-Za-z0-9_.-]{0,127})(:predict)?$")]
    private static partial Regex RestPathPattern();
}
