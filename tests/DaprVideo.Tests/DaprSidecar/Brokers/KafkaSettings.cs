using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// The pubsub.kafka settings the model uses, parsed as contrib common/component/kafka/metadata.go getKafkaMetadata
/// and kafka.go Init do (v1.18.4): brokers and authType are required; consumerGroup defaults to consumerID (daprd sets
/// it to the app id); initialOffset newest (default) | oldest; consumeRetryEnabled defaults to true for the pubsub
/// (pubsub/kafka/kafka.go); consumeRetryInterval (100 ms; integer = ms) is the pause between Consume attempts, NOT
/// the message retry — that is the "backOff…" retry config (dapr/kit retry: constant 5 s, forever);
/// maxMessageBytes sets Sarama's Producer.MaxMessageBytes when &gt; 0 (else Sarama's 1 MiB);
/// consumerGroupRebalanceStrategy range (default; unknown values fall back to range) | roundrobin.
/// Durations decode as Go durations, a plain integer as seconds (dapr/kit metadata/duration.go).
/// </summary>
public sealed class KafkaSettings
{
    /// <summary>Sarama config.go: Producer.MaxMessageBytes default.</summary>
    public const int SaramaDefaultMaxMessageBytes = 1024 * 1024;

    public IReadOnlyList<string> Brokers { get; private init; } = [];

    public string ConsumerGroup { get; private init; } = "";

    /// <summary>clientId; Sarama's default "sarama" prefixes the member ids the coordinator hands out.</summary>
    public string ClientId { get; private init; } = "sarama";

    public string AuthType { get; private init; } = "";

    /// <summary>True for initialOffset=oldest; the default newest starts a partition without a committed offset at its end.</summary>
    public bool InitialOffsetOldest { get; private init; }

    /// <summary>maxMessageBytes as given (0 = not set).</summary>
    public int MaxMessageBytes { get; private init; }

    /// <summary>What Sarama enforces: maxMessageBytes when &gt; 0, else 1 MiB.</summary>
    public int EffectiveMaxMessageBytes => MaxMessageBytes > 0 ? MaxMessageBytes : SaramaDefaultMaxMessageBytes;

    public bool ConsumeRetryEnabled { get; private init; } = true;

    public TimeSpan ConsumeRetryInterval { get; private init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan SessionTimeout { get; private init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HeartbeatInterval { get; private init; } = TimeSpan.FromSeconds(3);

    /// <summary>"range" or "roundrobin".</summary>
    public string RebalanceStrategy { get; private init; } = "range";

    public Resiliency.RetryConfig BackOff { get; private init; } = new();

    /// <summary>Warnings the component logs while parsing (e.g. an unknown rebalance strategy).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Parses resolved component metadata; throws <see cref="InvalidDataException"/> with the component's error text.</summary>
    public static KafkaSettings Parse(IReadOnlyDictionary<string, string> md, string appId)
    {
        var meta = new ComponentMetadata(md);
        var warnings = new List<string>();

        // DecodeMetadata (struct-field order).
        var brokers = meta.Get("brokers") ?? "";
        var group = meta.Get("consumerGroup") ?? "";
        var clientId = meta.Get("clientId") ?? "sarama";
        var authType = meta.Get("authType") ?? "";
        var maxMessageBytes = 0;
        if (meta.Get("maxMessageBytes") is { } mmb && !int.TryParse(mmb, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxMessageBytes))
            meta.Error("maxMessageBytes", $"cannot parse 'maxMessageBytes' as int: strconv.ParseInt: parsing \"{mmb}\": invalid syntax");
        var retryEnabled = meta.Get("consumeRetryEnabled") is not { } cre || KitStrings.IsTruthy(cre);
        var retryInterval = MetadataDuration(meta, "consumeRetryInterval") ?? TimeSpan.FromMilliseconds(100);
        var heartbeat = MetadataDuration(meta, "heartbeatInterval") ?? TimeSpan.FromSeconds(3);
        var session = MetadataDuration(meta, "sessionTimeout") ?? TimeSpan.FromSeconds(10);
        if (meta.DecodeErrors() is { } errors) throw new InvalidDataException(errors);

        // daprd put consumerID (trimmed, else the app id) into the properties; the component takes it as the group.
        if (group.Length == 0)
        {
            var consumerId = (md.TryGetValue("consumerID", out var id) ? id : "").Trim();
            group = consumerId.Length == 0 ? appId : consumerId;
        }

        var initialOffset = md.TryGetValue("initialOffset", out var io) ? io : "";
        var oldest = string.Equals(initialOffset, "oldest", StringComparison.OrdinalIgnoreCase);
        if (!oldest && initialOffset.Length > 0 && !string.Equals(initialOffset, "newest", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"kafka error: invalid initialOffset: {initialOffset}");
        if (brokers.Length == 0) throw new InvalidDataException("kafka error: missing 'brokers' attribute");
        if (authType.Length == 0) throw new InvalidDataException("kafka error: 'authType' attribute was missing or empty");
        switch (authType.ToLowerInvariant())
        {
            case "none":
                break;
            case "password":
                if (meta.Get("saslUsername") is null) throw new InvalidDataException("kafka error: missing SASL Username for authType 'password'");
                if (meta.Get("saslPassword") is null) throw new InvalidDataException("kafka error: missing SASL Password for authType 'password'");
                break; // the model does not authenticate
            case "oidc" or "oidc_private_key_jwt" or "mtls" or "certificate" or "awsiam":
                throw new NotSupportedException($"The Dapr stand-in's Kafka model does not model authType '{authType}'.");
            default:
                throw new InvalidDataException("kafka error: invalid value for 'authType' attribute");
        }

        if (md.TryGetValue("consumeRetryInterval", out var cri) && cri.Length > 0 && int.TryParse(cri, out _))
        {
            if (!uint.TryParse(cri, out var ms))
                throw new InvalidDataException($"kafka error: invalid value for 'consumeRetryInterval' attribute: strconv.ParseUint: parsing \"{cri}\": invalid syntax");
            retryInterval = TimeSpan.FromMilliseconds(ms);
        }

        var strategy = meta.Get("consumerGroupRebalanceStrategy") ?? "range";
        switch (strategy.ToLowerInvariant())
        {
            case "range" or "roundrobin":
                strategy = strategy.ToLowerInvariant();
                break;
            case "sticky":
                throw new NotSupportedException("The Dapr stand-in's Kafka model does not model the sticky rebalance strategy.");
            default:
                warnings.Add($"Invalid consumer group rebalance strategy: {strategy}. Using default strategy: 'range'");
                strategy = "range";
                break;
        }

        return new KafkaSettings
        {
            Brokers = brokers.Split(','),
            ConsumerGroup = group,
            ClientId = clientId,
            AuthType = authType,
            InitialOffsetOldest = oldest,
            MaxMessageBytes = maxMessageBytes,
            ConsumeRetryEnabled = retryEnabled,
            ConsumeRetryInterval = retryInterval,
            SessionTimeout = session,
            HeartbeatInterval = heartbeat,
            RebalanceStrategy = strategy,
            BackOff = ParseBackOff(md),
            Warnings = warnings,
        };
    }

    // kafka.go Init: retry.DecodeConfigWithPrefix(&backOffConfig, metadata, "backOff"): keys starting exactly with
    // "backOff", the rest uncapitalised, decoded by dapr/kit config (durations: integer = ms).
    private static Resiliency.RetryConfig ParseBackOff(IReadOnlyDictionary<string, string> md)
    {
        var stripped = md.Where(kv => kv.Key.StartsWith("backOff", StringComparison.Ordinal) && kv.Key.Length > 7)
            .ToDictionary(kv => char.ToLowerInvariant(kv.Key[7]) + kv.Key[8..], kv => kv.Value, StringComparer.Ordinal);
        var meta = new ComponentMetadata(stripped);
        var defaults = new Resiliency.RetryConfig();
        var exponential = false;
        if (meta.Get("policy") is { } policy)
        {
            if (string.Equals(policy, "exponential", StringComparison.OrdinalIgnoreCase)) exponential = true;
            else if (!string.Equals(policy, "constant", StringComparison.OrdinalIgnoreCase))
                meta.Error("policy", $"invalid PolicyType \"{policy}\": unexpected back off policy type: {policy}");
        }
        var duration = meta.ConfigDuration("duration") ?? defaults.Duration;
        var initial = meta.ConfigDuration("initialInterval") ?? defaults.InitialInterval;
        var randomization = Float(meta, "randomizationFactor") ?? defaults.RandomizationFactor;
        var multiplier = Float(meta, "multiplier") ?? defaults.Multiplier;
        var maxInterval = meta.ConfigDuration("maxInterval") ?? defaults.MaxInterval;
        var maxElapsed = meta.ConfigDuration("maxElapsedTime") ?? defaults.MaxElapsedTime;
        long maxRetries = defaults.MaxRetries;
        if (meta.Get("maxRetries") is { } mr && !ComponentMetadata.TryParseLong(mr, out maxRetries)) meta.Error("maxRetries", $"invalid int64 \"{mr}\"");
        if (meta.DecodeErrors() is { } errors) throw new InvalidDataException(errors);
        return new Resiliency.RetryConfig
        {
            Policy = exponential ? Resiliency.RetryBackOff.Exponential : Resiliency.RetryBackOff.Constant,
            Duration = duration,
            InitialInterval = initial,
            RandomizationFactor = randomization,
            Multiplier = multiplier,
            MaxInterval = maxInterval,
            MaxElapsedTime = maxElapsed,
            MaxRetries = maxRetries,
        };
    }

    // dapr/kit metadata/duration.go: Go duration first, else integer seconds.
    private static TimeSpan? MetadataDuration(ComponentMetadata meta, string key)
    {
        if (meta.Get(key) is not { } text) return null;
        if (GoDuration.TryParse(text, out var d)) return d;
        if (ComponentMetadata.TryParseLong(text, out var seconds)) return TimeSpan.FromSeconds(seconds);
        meta.Error(key, $"time: invalid duration \"{text}\"\nstrconv.ParseInt: parsing \"{text}\": invalid syntax");
        return null;
    }


    private static double? Float(ComponentMetadata meta, string key)
    {
        if (meta.Get(key) is not { } text) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        meta.Error(key, $"invalid float32 \"{text}\"");
        return null;
    }
}
