namespace DaprVideo.Tests.DaprSidecar.Brokers;

/// <summary>
/// The pubsub.redis settings, parsed as contrib common/component/redis/redis.go ParseClientFromProperties and
/// settings.go do for the pubsub type: defaults processingTimeout 60s, redeliverInterval 15s, queueDepth 100,
/// concurrency 10. processingTimeout decodes as a Go duration or integer milliseconds; redeliverInterval has
/// <c>mapstructure:"-"</c>, so it is read ONLY as an unsigned integer of milliseconds — "15s" or "300ms" are silently
/// ignored and the default stays. 0 in either disables redelivery (and the handler's processing deadline).
/// The consumer group AND the consumer name are consumerID, which daprd sets to the app id when empty
/// (dapr pkg/runtime/processor/pubsub/pubsub.go). An empty redisHost stays empty, and go-redis then dials localhost:6379.
/// </summary>
public sealed class RedisStreamsSettings
{
    private const string DefaultRedisPort = "6379";

    /// <summary>redisHost resolved with redisPort (settings.go resolveHost); "" when not given.</summary>
    public string Host { get; private init; } = "";

    /// <summary>Where the client dials: <see cref="Host"/>, or go-redis's default localhost:6379 when it is empty.</summary>
    public string Address => Host.Length == 0 ? "localhost:" + DefaultRedisPort : Host;

    public string Password { get; private init; } = "";

    public string Username { get; private init; } = "";

    public int Database { get; private init; }

    public bool EnableTls { get; private init; }

    public TimeSpan ProcessingTimeout { get; private init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RedeliverInterval { get; private init; } = TimeSpan.FromSeconds(15);

    public int QueueDepth { get; private init; } = 100;

    public int Concurrency { get; private init; } = 10;

    /// <summary>XADD MAXLEN ~ this when &gt; 0.</summary>
    public long MaxLenApprox { get; private init; }

    /// <summary>XADD MINID ~ (now − this) when &gt; 0 and maxLenApprox is not set.</summary>
    public TimeSpan StreamTtl { get; private init; }

    /// <summary>readTimeout: XREADGROUP's BLOCK; zero blocks until a message arrives.</summary>
    public TimeSpan ReadTimeout { get; private init; }

    /// <summary>consumerID: the consumer group, and also the consumer name every member uses.</summary>
    public string ConsumerGroup { get; private init; } = "";

    /// <summary>True when the reclaim loop runs (processingTimeout and redeliverInterval both non-zero).</summary>
    public bool RedeliveryEnabled => ProcessingTimeout != TimeSpan.Zero && RedeliverInterval != TimeSpan.Zero;

    /// <summary>Parses resolved component metadata; throws <see cref="InvalidDataException"/> with the component's error text.</summary>
    public static RedisStreamsSettings Parse(IReadOnlyDictionary<string, string> md, string appId)
    {
        var meta = new ComponentMetadata(md);
        var redisType = meta.Get("redisType");
        if (redisType is not null && !string.Equals(redisType, "node", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException($"The Dapr stand-in models redisType 'node' only, not '{redisType}'.");
        if (meta.Get("failover") is { } failover && KitStrings.IsTruthy(failover))
            throw new NotSupportedException("The Dapr stand-in does not model Redis Sentinel failover.");

        // Struct-field order of settings.go, so the aggregate error lists fields as mapstructure would.
        var host = meta.Get("redisHost") ?? "";
        ushort port = 0;
        if (meta.Get("redisPort") is { } portText && !ushort.TryParse(portText, out port)) meta.Error("redisPort", $"invalid uint16 \"{portText}\"");
        var db = 0;
        if (meta.Get("redisDB") is { } dbText && !int.TryParse(dbText, out db)) meta.Error("redisDB", $"invalid int \"{dbText}\"");
        var readTimeout = RedisDuration(meta, "readTimeout") ?? TimeSpan.Zero;
        var enableTls = Bool(meta, "enableTLS");
        var processingTimeout = meta.ConfigDuration("processingTimeout") ?? TimeSpan.FromSeconds(60);
        var queueDepth = Uint(meta, "queueDepth") ?? 100;
        var concurrency = Uint(meta, "concurrency") ?? 10;
        long maxLen = 0;
        if (meta.Get("maxLenApprox") is { } maxLenText && !ComponentMetadata.TryParseLong(maxLenText, out maxLen)) meta.Error("maxLenApprox", $"invalid int64 \"{maxLenText}\"");
        var streamTtl = meta.ConfigDuration("streamTTL") ?? TimeSpan.Zero;
        if (meta.DecodeErrors() is { } errors)
            throw new InvalidDataException("redis client configuration error: decode failed. " + errors);

        // The legacy pass after Decode: a plain number is milliseconds; anything else keeps what Decode made of it.
        if (meta.GetExact("processingTimeout") is { } pt && ComponentMetadata.TryParseULong(pt, out var ptMs))
            processingTimeout = TimeSpan.FromMilliseconds(ptMs);
        var redeliverInterval = TimeSpan.FromSeconds(15);
        if (meta.GetExact("redeliverInterval") is { } ri && ComponentMetadata.TryParseULong(ri, out var riMs))
            redeliverInterval = TimeSpan.FromMilliseconds(riMs);

        var consumerId = (md.TryGetValue("consumerID", out var id) ? id : "").Trim();
        if (consumerId.Length == 0) consumerId = appId;

        return new RedisStreamsSettings
        {
            Host = ResolveHost(host, port),
            Password = meta.Get("redisPassword") ?? "",
            Username = meta.Get("redisUsername") ?? "",
            Database = db,
            EnableTls = enableTls,
            ProcessingTimeout = processingTimeout,
            RedeliverInterval = redeliverInterval,
            QueueDepth = (int)Math.Min(queueDepth, int.MaxValue),
            Concurrency = (int)Math.Min(concurrency, int.MaxValue),
            MaxLenApprox = maxLen,
            StreamTtl = streamTtl,
            ReadTimeout = readTimeout,
            ConsumerGroup = consumerId,
        };
    }

    /// <summary>settings.go GetMinID: the MINID trim bound for streamTTL, or null when no TTL.</summary>
    public string? MinId(DateTimeOffset now) =>
        StreamTtl == TimeSpan.Zero ? null : $"{(now - StreamTtl).ToUnixTimeMilliseconds()}-1";


    // settings.go Duration.DecodeString: integer = milliseconds (a negative one stays raw: "disabled"), else Go duration.
    private static TimeSpan? RedisDuration(ComponentMetadata meta, string key)
    {
        if (meta.Get(key) is not { } text) return null;
        if (int.TryParse(text, out var ms)) return ms < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(ms);
        if (GoDuration.TryParse(text, out var d)) return d;
        meta.Error(key, $"invalid Duration \"{text}\": time: invalid duration \"{text}\"");
        return null;
    }

    private static ulong? Uint(ComponentMetadata meta, string key)
    {
        if (meta.Get(key) is not { } text) return null;
        if (ComponentMetadata.TryParseULong(text, out var v)) return v;
        meta.Error(key, $"invalid uint \"{text}\"");
        return null;
    }

    private static bool Bool(ComponentMetadata meta, string key)
    {
        if (meta.Get(key) is not { } text) return false;
        if (bool.TryParse(text, out var b)) return b;
        if (text is "1" or "t" or "T") return true;
        if (text is "0" or "f" or "F") return false;
        meta.Error(key, $"invalid bool \"{text}\"");
        return false;
    }

    // settings.go resolveHost/resolveAddr: keep a given port (it must agree with redisPort), else append redisPort or 6379.
    private static string ResolveHost(string host, ushort port)
    {
        if (host.Length == 0) return host;
        return string.Join(",", host.Split(',').Select(a => ResolveAddress(a.Trim(), port)));
    }

    private static string ResolveAddress(string address, ushort port)
    {
        if (address.Length == 0) return address;
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (SplitPort(address) is { } existing)
        {
            if (port != 0 && existing != portText)
                throw new InvalidDataException(
                    $"redis client configuration error: redis host \"{address}\" already contains port {existing}, but redisPort is set to {portText}; " +
                    "either remove the port from redisHost or remove the redisPort setting");
            return address;
        }
        var hostPart = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address; // net.JoinHostPort brackets IPv6
        return $"{hostPart}:{(port == 0 ? DefaultRedisPort : portText)}";
    }

    // net.SplitHostPort's success cases: "host:port" or "[v6]:port".
    private static string? SplitPort(string address)
    {
        if (address.StartsWith('['))
        {
            var close = address.IndexOf("]:", StringComparison.Ordinal);
            return close < 0 ? null : address[(close + 2)..];
        }
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && colon == address.LastIndexOf(':') ? address[(colon + 1)..] : null;
    }
}
