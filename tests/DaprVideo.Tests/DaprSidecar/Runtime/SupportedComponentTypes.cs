namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// The component types the stand-in implements: its "registry". daprd looks a type up lower-cased and accepts version
/// "", "v0" or "v1" for components registered without a version, which all of these are
/// (dapr <c>pkg/components/*/registry.go</c>, <c>pkg/components/versioning.go</c> <c>IsInitialVersion</c>).
/// A type daprd has but the stand-in does not is refused like a type daprd does not know – with a note saying so.
/// </summary>
public static class SupportedComponentTypes
{
    public static IReadOnlyList<string> All { get; } =
    [
        "bindings.aws.s3",
        "bindings.http",
        "bindings.mqtt3",
        "pubsub.kafka",
        "pubsub.redis",
        "secretstores.local.file",
    ];

    public static bool IsSupported(string type, string version) =>
        All.Contains(type.ToLowerInvariant(), StringComparer.Ordinal) && version.ToLowerInvariant() is "" or "v0" or "v1";

    /// <summary>daprd's component categories (dapr <c>pkg/components/category.go</c>); the type must start with one + "." (case-sensitive).</summary>
    public static IReadOnlyList<string> Categories { get; } =
        ["bindings", "pubsub", "secretstores", "state", "workflow", "workflowbackend", "middleware", "configuration", "crypto", "lock", "nameresolution", "conversation"];
}
