namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// One component after loading, as daprd hands it to the component's Init: secretKeyRefs resolved through
/// <c>auth.secretStore</c>, <c>{uuid}</c>/<c>{podName}</c>/<c>{namespace}</c>/<c>{appID}</c> substituted, and for pub/sub
/// <c>consumerID</c> defaulted to the app id (dapr <c>pkg/runtime/processor/pubsub/pubsub.go</c>).
/// <paramref name="Metadata"/> keys are case-sensitive as in daprd's property map; a repeated name keeps the last value.
/// </summary>
public sealed record ComponentSpec(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes,
    bool IgnoreErrors)
{
    /// <summary><c>auth.secretStore</c> ("" when none).</summary>
    public string SecretStore { get; init; } = "";

    /// <summary><c>spec.initTimeout</c> ("" when none; daprd then allows 5 s).</summary>
    public string InitTimeout { get; init; } = "";

    /// <summary>The file the manifest came from.</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>daprd's log name: <c>name (type/version)</c>, or <c>name (type)</c> without a version (dapr utils <c>ComponentLogName</c>).</summary>
    public string LogName => Version.Length == 0 ? $"{Name} ({Type})" : $"{Name} ({Type}/{Version})";
}
