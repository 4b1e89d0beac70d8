using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DaprVideo.ModelServer;

/// <summary>
/// Flags, named as tensorflow_model_server names them where they apply:
/// <c>--port</c> (gRPC, 8500), <c>--rest_api_port</c> (8501; 0 turns REST off), <c>--model_name</c>
/// (default), <c>--enable_batching</c>, <c>--batching_parameters_file</c>; ours: <c>--model_path</c>
/// (ONNX file), <c>--score_threshold</c>, <c>--max_request_bytes</c>, <c>--bind_address</c>, <c>--intra_op_threads</c>.
/// Both <c>--flag=value</c> and <c>--flag value</c> are accepted.
/// </summary>
public sealed partial record ModelServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>gRPC port (HTTP/2 cleartext). 0 asks the OS for a free one (tests).</summary>
    public int Port { get; init; } = 8500;

    public bool RestEnabled { get; init; } = true;

    /// <summary>REST port (HTTP/1.1 and HTTP/2). 0 asks the OS for a free one (tests).</summary>
    public int RestApiPort { get; init; } = 8501;

    public string ModelName { get; init; } = "default";

    /// <summary>The ONNX model; null means the one shipped next to the server.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Low on purpose: like the TF OD API export, the server returns its top detections and
    /// leaves the display threshold to the client.</summary>
    public float ScoreThreshold { get; init; } = 0.05f;

    public int MaxDetections { get; init; } = 100;

    public int IntraOpThreads { get; init; }

    /// <summary>Largest request body (REST) or message (gRPC).</summary>
    public int MaxRequestBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Largest total of decoded pixels per request, in bytes (encoded images expand).</summary>
    public long MaxDecodedBytes { get; init; } = 256L * 1024 * 1024;

    public bool EnableBatching { get; init; }

    public int MaxBatchSize { get; init; } = 8;

    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(2);

    public int NumBatchThreads { get; init; } = 1;

    public static ModelServerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ModelServerOptions();
        string? batchingFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{arg}' (flags look like --port=8500).");
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            string Value()
            {
                if (eq >= 0) return arg[(eq + 1)..];
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                throw new ArgumentException($"--{name} needs a value.");
            }
            if (name == "batching_parameters_file")
            {
                batchingFile = Value();
                continue;
            }
            options = name switch
            {
                "port" => options with { Port = Int(name, Value(), 1, 65535) },
                "rest_api_port" => Int(name, Value(), 0, 65535) is var p && p == 0
                    ? options with { RestEnabled = false }
                    : options with { RestApiPort = p, RestEnabled = true },
                "model_name" => options with { ModelName = Value() },
                "model_path" => options with { ModelPath = Value() },
                "bind_address" => options with
                {
                    BindAddress = IPAddress.TryParse(Value(), out var ip) ? ip : throw new ArgumentException($"--bind_address: not an IP address."),
                },
                "score_threshold" => options with { ScoreThreshold = Float(name, Value(), 0f, 1f) },
                "max_request_bytes" => options with { MaxRequestBytes = Int(name, Value(), 1024, int.MaxValue) },
                "intra_op_threads" => options with { IntraOpThreads = Int(name, Value(), 0, 256) },
                "enable_batching" => options with { EnableBatching = eq < 0 || Bool(name, arg[(eq + 1)..]) },
                _ => throw new ArgumentException($"Unknown flag --{name}."),
            };
        }
        if (batchingFile is not null) options = options.WithBatchingParameters(batchingFile);
        options.Validate();
        return options;
    }

    public void Validate()
    {
        if (!ModelNamePattern().IsMatch(ModelName))
            throw new ArgumentException($"--model_name: '{ModelName}' must be letters, digits, '_', '-', '.' (at most 128).");
        if (Port is < 0 or > 65535 || RestApiPort is < 0 or > 65535)
            throw new ArgumentException("--port / --rest_api_port must be 0..65535.");
        if (RestEnabled && Port != 0 && Port == RestApiPort)
            throw new ArgumentException($"--port and --rest_api_port are both {Port}.");
        if (!(ScoreThreshold is >= 0f and <= 1f))
            throw new ArgumentException("--score_threshold must be 0..1.");
        if (MaxDetections is < 1 or > 1000)
            throw new ArgumentException("Max detections must be 1..1000.");
        if (MaxBatchSize is < 1 or > 1024)
            throw new ArgumentException("max_batch_size must be 1..1024.");
        if (NumBatchThreads is < 1 or > 64)
            throw new ArgumentException("num_batch_threads must be 1..64.");
    }

    /// <summary>Reads TF Serving's batching text proto: max_batch_size, batch_timeout_micros, num_batch_threads.</summary>
    public ModelServerOptions WithBatchingParameters(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"--batching_parameters_file: cannot read '{path}': {ex.Message}", ex);
        }
        var options = this with { EnableBatching = true };
        foreach (Match m in BatchingEntry().Matches(text))
        {
            var value = long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            options = m.Groups["name"].Value switch
            {
                "max_batch_size" => options with { MaxBatchSize = (int)Math.Clamp(value, 1, 1024) },
                "batch_timeout_micros" => options with { BatchTimeout = TimeSpan.FromMicroseconds(Math.Clamp(value, 0, 60_000_000)) },
                "num_batch_threads" => options with { NumBatchThreads = (int)Math.Clamp(value, 1, 64) },
                _ => options, // max_enqueued_batches, pad_variable_length_inputs, ...: not needed here
            };
        }
        return options;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"--{name}: '{value}' must be an integer {min}..{max}.");

    private static float Float(string name, string value, float min, float max) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f >= min && f <= max
            ? f
            : throw new ArgumentException($"--{name}: '{value}' must be a number {min}..{max}.");

    private static bool Bool(string name, string value) => value.ToUpperInvariant() switch
    {
        "TRUE" or "1" => true,
        "FALSE" or "0" => false,
        _ => throw new ArgumentException($"--{name}: '{value}' must be true or false."),
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ModelNamePattern();

    [GeneratedRegex(@"(?<name>[a-z_]+)\s*\{\s*value\s*:\s*(?<value>\d{1,12})\s*\}")]
    private static partial Regex BatchingEntry();
}
