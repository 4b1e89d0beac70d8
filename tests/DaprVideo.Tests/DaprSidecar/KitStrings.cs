namespace DaprVideo.Tests.DaprSidecar;

/// <summary>dapr/kit strings/strings.go, which daprd and the components use to read flags from metadata.</summary>
public static class KitStrings
{
    /// <summary>IsTruthy: "1", "t", "true", "y", "yes", "on" in any case, surrounding spaces ignored; anything else is false.</summary>
    public static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}
