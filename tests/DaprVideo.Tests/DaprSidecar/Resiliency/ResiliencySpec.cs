using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// The Resiliency resources one daprd loaded, and the component policies it derives from them
/// (dapr/dapr pkg/resiliency/resiliency.go: LoadLocalResiliency, FromConfigurations, DecodeConfiguration,
/// ComponentOutboundPolicy / ComponentInboundPolicy).
/// <list type="bullet">
/// <item>Documents whose <c>kind</c> is not <c>Resiliency</c> are skipped; with an app id, so are documents whose
/// <c>scopes</c> do not list it (no scopes = every app). Documents are decoded in order into one set of named
/// timeouts / retries / circuit breakers (a later name replaces an earlier one) and component targets.</item>
/// <item>timeouts: integer = milliseconds, else Go duration; ≤ 0 means none. retries: see <see cref="RetryConfig"/>
/// (policy constant|exponential, duration, maxInterval, maxRetries; other keys are ignored). circuitBreakers:
/// maxRequests, interval, timeout, trip (see <see cref="CircuitBreaker"/>, <see cref="TripExpression"/>).
/// daprd's built-in retry policies (DaprBuiltIn…) exist and can be named by targets.</item>
/// <item>targets.components.&lt;name&gt;.outbound|inbound name a timeout, retry and circuitBreaker. A name that is not
/// defined means no such layer for timeouts and retries. A component without a target gets the default policies
/// (Default{Type}Component{Direction}RetryPolicy, DefaultComponent{Direction}…, DefaultComponent…, Default…Policy);
/// a component that has a target never does, even for a direction the target leaves empty.</item>
/// <item>Breakers: one instance per component name, shared by its outbound and inbound policies and by every call
/// (the first policy asked for creates it from its template), so a breaker opened by one call refuses the next.</item>
/// </list>
/// Where daprd only logs and skips a document it cannot decode ("Could not read resiliency policy"), this stand-in
/// throws <see cref="InvalidDataException"/>, so a broken committed policy fails the test run instead of silently
/// giving no resiliency. It also throws for a target naming an undefined circuit breaker, on which daprd crashes
/// (nil template) at the component's first call.
/// Not modelled: apps and actors targets, retry <c>matching</c> semantics (validated only), Kubernetes loading.
/// </summary>
public sealed class ResiliencySpec
{
    /// <summary>Component types daprd passes to the policy lookups (used only for the Default… policy names).</summary>
    public const string Binding = "Binding";
    public const string Pubsub = "Pubsub";

    private readonly Dictionary<string, TimeSpan> _timeouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RetryConfig> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BreakerTemplate> _breakers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PolicyNames Inbound, PolicyNames Outbound)> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CircuitBreaker> _componentBreakers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, bool, string), ResiliencyPolicy?> _policies = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;

    private ResiliencySpec(TimeProvider time, int? jitterSeed)
    {
        _time = time;
        _random = jitterSeed is { } seed ? new Random(seed) : new Random();
        AddBuiltInPolicies();
    }

    /// <summary>No Resiliency resource: every component call runs once, without timeout or breaker.</summary>
    public static ResiliencySpec None { get; } = new(TimeProvider.System, null);

    /// <summary>Names of the loaded Resiliency resources, in load order.</summary>
    public IReadOnlyList<string> LoadedNames => _loaded;

    private readonly List<string> _loaded = [];

    /// <summary>
    /// Loads Resiliency documents (one file's text each; other kinds are skipped). <paramref name="appId"/> filters by
    /// <c>scopes</c> like daprd does for its own app id (null loads all). <paramref name="jitterSeed"/> seeds the
    /// exponential back-off randomization (null = unseeded). Throws <see cref="InvalidDataException"/> on what daprd
    /// cannot decode.
    /// </summary>
    public static ResiliencySpec Parse(IEnumerable<string> resiliencyYamlDocuments, TimeProvider? time = null, string? appId = null, int? jitterSeed = null)
    {
        ArgumentNullException.ThrowIfNull(resiliencyYamlDocuments);
        var spec = new ResiliencySpec(time ?? TimeProvider.System, jitterSeed);
        foreach (var text in resiliencyYamlDocuments)
        {
            var root = ResourceYaml.FirstDocumentRoot(text);
            if (ResourceYaml.String(root, "kind") != "Resiliency") continue;
            var scopes = ResourceYaml.Strings(root, "scopes");
            if (appId is not null && scopes.Count > 0 && !scopes.Contains(appId)) continue;
            var name = ResourceYaml.String(ResourceYaml.Object(root, "metadata"), "name") ?? "";
            try
            {
                spec.Decode(ResourceYaml.Object(root, "spec"));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"Could not read resiliency policy {name}: {e.Message}", e);
            }
            spec._loaded.Add(name);
        }
        spec.CheckBreakerReferences();
        return spec;
    }

    /// <summary>The outbound policy of a component (bindings, publish); null when it has none. Same instance every call.</summary>
    public ResiliencyPolicy? ComponentOutbound(string componentName) => ComponentOutbound(componentName, "");

    /// <summary>As <see cref="ComponentOutbound(string)"/>, also looking up Default{componentType}ComponentOutbound… policies.</summary>
    public ResiliencyPolicy? ComponentOutbound(string componentName, string componentType) => Policy(componentName, outbound: true, componentType);

    /// <summary>The inbound policy of a component (delivery of subscribed messages to the app); null when it has none.</summary>
    public ResiliencyPolicy? ComponentInbound(string componentName) => ComponentInbound(componentName, "");

    public ResiliencyPolicy? ComponentInbound(string componentName, string componentType) => Policy(componentName, outbound: false, componentType);

    private ResiliencyPolicy? Policy(string name, bool outbound, string componentType)
    {
        lock (_gate)
        {
            if (_policies.TryGetValue((name, outbound, componentType), out var cached)) return cached;
            var direction = outbound ? "Outbound" : "Inbound";
            PolicyNames names;
            if (_components.TryGetValue(name, out var target)) names = outbound ? target.Outbound : target.Inbound;
            else names = DefaultPolicyNames(componentType + "Component" + direction, "Component" + direction);

            TimeSpan? timeout = names.Timeout is { Length: > 0 } t && _timeouts.TryGetValue(t, out var d) && d > TimeSpan.Zero ? d : null;
            var retry = names.Retry is { Length: > 0 } r ? _retries.GetValueOrDefault(r) : null;
            CircuitBreaker? breaker = null;
            if (names.CircuitBreaker is { Length: > 0 } cb)
            {
                if (!_componentBreakers.TryGetValue(name, out breaker))
                {
                    var template = _breakers[cb];
                    breaker = new CircuitBreaker(cb + "-" + name, template.MaxRequests, template.Interval, template.Timeout, template.Trip, _time);
                    _componentBreakers[name] = breaker;
                }
            }
            var policy = timeout is null && retry is null && breaker is null
                ? null
                : new ResiliencyPolicy($"component[{name}] {(outbound ? "output" : "input")}", timeout, retry, breaker, _time, NextRandom);
            _policies[(name, outbound, componentType)] = policy;
            return policy;
        }
    }

    private double NextRandom()
    {
        lock (_random) return _random.NextDouble();
    }

    // getDefaultPolicy: each kind is looked up on its own, most specific level first, then the top-level name.
    private PolicyNames DefaultPolicyNames(params string[] levels)
    {
        string levelsFirst<T>(Dictionary<string, T> defined, string kind)
        {
            foreach (var level in levels.Append("Component").Append(""))
            {
                var candidate = $"Default{level}{kind}Policy";
                if (defined.ContainsKey(candidate)) return candidate;
            }
            return "";
        }
        return new PolicyNames(levelsFirst(_timeouts, "Timeout"), levelsFirst(_retries, "Retry"), levelsFirst(_breakers, "CircuitBreaker"));
    }

    private void Decode(YamlMappingNode? spec)
    {
        var policies = ResourceYaml.Object(spec, "policies");
        foreach (var (name, node) in ResourceYaml.Entries(policies, "timeouts"))
        {
            var text = ResourceYaml.String(node, "timeouts") ?? "";
            if (!GoDuration.TryParseMillisecondsOrDuration(text, out var ns))
                throw new InvalidDataException($"invalid duration \"{name}\", {text}: time: invalid duration \"{text}\"");
            _timeouts[name] = GoDuration.ToTimeSpan(ns);
        }
        foreach (var (name, node) in ResourceYaml.Entries(policies, "retries"))
        {
            var config = DecodeRetry(name, AsObject(node, "retries"));
            if (name == "DaprBuiltInActorNotFoundRetries") continue; // protected: daprd ignores the override
            if (IsBuiltIn(name) && config.MaxRetries < 3) config = config with { MaxRetries = 3 };
            _retries[name] = config;
        }
        foreach (var (name, node) in ResourceYaml.Entries(policies, "circuitBreakers"))
            _breakers[name] = DecodeBreaker(name, AsObject(node, "circuitBreakers"));

        foreach (var (name, node) in ResourceYaml.Entries(ResourceYaml.Object(spec, "targets"), "components"))
        {
            var target = AsObject(node, "components");
            _components[name] = (Names(ResourceYaml.Object(target, "inbound")), Names(ResourceYaml.Object(target, "outbound")));
        }

        static PolicyNames Names(YamlMappingNode? map) => new(
            ResourceYaml.String(map, "timeout") ?? "",
            ResourceYaml.String(map, "retry") ?? "",
            ResourceYaml.String(map, "circuitBreaker") ?? "");
    }

    private static YamlMappingNode? AsObject(YamlNode node, string what) => node switch
    {
        YamlMappingNode m => m,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        _ => throw new InvalidDataException($"error unmarshaling JSON: entries of {what} must be objects"),
    };

    // dapr/kit retry.DecodeConfig over retry.DefaultConfig(), fed with the CRD Retry struct's fields.
    private static RetryConfig DecodeRetry(string name, YamlMappingNode? map)
    {
        var config = new RetryConfig();
        var policy = ResourceYaml.String(map, "policy");
        if (!string.IsNullOrEmpty(policy))
        {
            config = policy.ToLowerInvariant() switch
            {
                "constant" => config with { Policy = RetryBackOff.Constant },
                "exponential" => config with { Policy = RetryBackOff.Exponential },
                _ => throw new InvalidDataException($"invalid retry configuration \"{name}\": invalid PolicyType \"{policy}\": unexpected back off policy type: {policy}"),
            };
        }
        if (ResourceYaml.String(map, "duration") is { Length: > 0 } duration)
            config = config with { Duration = KitDuration(name, duration) };
        if (ResourceYaml.String(map, "maxInterval") is { Length: > 0 } maxInterval)
            config = config with { MaxInterval = KitDuration(name, maxInterval) };
        if (ResourceYaml.Int(map, "maxRetries") is { } maxRetries)
            config = config with { MaxRetries = maxRetries };
        var matching = ResourceYaml.Object(map, "matching");
        ValidateCodes(ResourceYaml.String(matching, "httpStatusCodes"), 100, 599);
        ValidateCodes(ResourceYaml.String(matching, "gRPCStatusCodes"), 0, 16);
        return config;
    }

    private static BreakerTemplate DecodeBreaker(string name, YamlMappingNode? map)
    {
        var maxRequests = ResourceYaml.Int(map, "maxRequests") ?? 0;
        if (maxRequests is < 0 or > uint.MaxValue)
            throw new InvalidDataException($"invalid retry configuration \"{name}\": cannot parse 'maxRequests', {maxRequests} overflows uint");
        var interval = ResourceYaml.String(map, "interval") is { Length: > 0 } i ? KitDuration(name, i) : TimeSpan.Zero;
        var timeout = ResourceYaml.String(map, "timeout") is { Length: > 0 } t ? KitDuration(name, t) : TimeSpan.Zero;
        TripExpression? trip = null;
        if (ResourceYaml.String(map, "trip") is { Length: > 0 } text)
        {
            try
            {
                trip = TripExpression.Parse(text);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"invalid retry configuration \"{name}\": invalid Expr \"{text}\": {e.Message}", e);
            }
        }
        return new BreakerTemplate((uint)maxRequests, interval, timeout, trip);
    }

    private static TimeSpan KitDuration(string policy, string text) =>
        GoDuration.TryParseMillisecondsOrDuration(text, out var ns)
            ? GoDuration.ToTimeSpan(ns)
            : throw new InvalidDataException($"invalid retry configuration \"{policy}\": invalid duration \"{text}\"");

    // retry.go parsePatterns/compilePattern: comma-separated codes or ranges within the protocol's valid range.
    private static void ValidateCodes(string? patterns, int min, int max)
    {
        if (string.IsNullOrEmpty(patterns)) return;
        foreach (var pattern in patterns.Split(','))
        {
            if (pattern.Length == 0) continue;
            var parts = pattern.Split('-');
            if (parts.Length > 2) throw new InvalidDataException($"invalid pattern {pattern}, more than one '-' exists");
            if (!int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var start))
                throw new InvalidDataException($"failed to parse start code {parts[0]} from pattern {pattern} to int");
            if (start < min || start > max) throw new InvalidDataException($"invalid pattern {pattern}, start code {start} is not valid");
            var end = start;
            if (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out end))
                throw new InvalidDataException($"failed to parse end code {parts[1]} from pattern {pattern} to int");
            if (end < min || end > max) throw new InvalidDataException($"invalid pattern {pattern}, end code {end} is not valid");
            if (end < start) throw new InvalidDataException($"invalid pattern {pattern}, start value should not bigger than end value");
        }
    }

    private void CheckBreakerReferences()
    {
        foreach (var (component, (inbound, outbound)) in _components)
        {
            foreach (var cb in new[] { inbound.CircuitBreaker, outbound.CircuitBreaker })
            {
                if (cb.Length > 0 && !_breakers.ContainsKey(cb))
                    throw new InvalidDataException(
                        $"component {component} names circuit breaker \"{cb}\", which no Resiliency policy defines (daprd dereferences the missing template and crashes on the first call)");
            }
        }
    }

    private static bool IsBuiltIn(string name) => name is "DaprBuiltInServiceRetries" or "DaprBuiltInActorRetries"
        or "DaprBuiltInActorReminderRetries" or "DaprBuiltInInitializationRetries" or "DaprBuiltInActorNotFoundRetries";

    // addBuiltInPolicies (resiliency.go).
    private void AddBuiltInPolicies()
    {
        _retries["DaprBuiltInServiceRetries"] = new RetryConfig { MaxRetries = 3, Duration = TimeSpan.FromSeconds(1) };
        _retries["DaprBuiltInActorRetries"] = new RetryConfig { MaxRetries = 3, Duration = TimeSpan.FromSeconds(1) };
        _retries["DaprBuiltInActorReminderRetries"] = new RetryConfig
        {
            Policy = RetryBackOff.Exponential,
            InitialInterval = TimeSpan.FromMilliseconds(500),
            RandomizationFactor = 0.5,
            Multiplier = 1.5,
            MaxInterval = TimeSpan.FromSeconds(60),
            MaxElapsedTime = TimeSpan.FromMinutes(15),
            MaxRetries = 0, // the Go literal leaves MaxRetries at its zero value
        };
        _retries["DaprBuiltInInitializationRetries"] = new RetryConfig
        {
            Policy = RetryBackOff.Exponential,
            InitialInterval = TimeSpan.FromMilliseconds(500),
            MaxRetries = 3,
            MaxInterval = TimeSpan.FromSeconds(1),
            MaxElapsedTime = TimeSpan.FromSeconds(10),
            Duration = TimeSpan.FromSeconds(2),
            Multiplier = 1.5,
            RandomizationFactor = 0.5,
        };
        _retries["DaprBuiltInActorNotFoundRetries"] = new RetryConfig { MaxRetries = 5, Duration = TimeSpan.FromSeconds(1) };
    }

    private sealed record PolicyNames(string Timeout, string Retry, string CircuitBreaker);

    private sealed record BreakerTemplate(uint MaxRequests, TimeSpan Interval, TimeSpan Timeout, TripExpression? Trip);
}
