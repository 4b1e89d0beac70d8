namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// daprd's metadata templates (dapr <c>pkg/runtime/meta/meta.go</c> <c>convertItemsToProps</c>, applied when a component
/// is initialised, after secrets): every <c>{uuid}</c> gets its own random UUID; <c>{podName}</c> needs $POD_NAME (else the
/// init fails); <c>{namespace}</c> becomes "NAMESPACE.appID" with NAMESPACE = $NAMESPACE or "default"
/// (dapr <c>pkg/security</c> <c>CurrentNamespace</c>); <c>{appID}</c> becomes the app id. Case-sensitive, no other forms.
/// </summary>
internal static class ComponentTemplates
{
    public static string Substitute(string value, string property, string appId, IReadOnlyDictionary<string, string> env)
    {
        const string Uuid = "{uuid}";
        int at;
        while ((at = value.IndexOf(Uuid, StringComparison.Ordinal)) >= 0)
            value = string.Concat(value.AsSpan(0, at), Guid.NewGuid().ToString(), value.AsSpan(at + Uuid.Length));

        if (value.Contains("{podName}", StringComparison.Ordinal))
        {
            var pod = env.GetValueOrDefault("POD_NAME", "");
            if (pod.Length == 0)
                throw new ComponentInitException($"failed to parse metadata: property {property} refers to {{podName}} but podName is not set");
            value = value.Replace("{podName}", pod, StringComparison.Ordinal);
        }

        var ns = env.TryGetValue("NAMESPACE", out var n) ? n : "default";
        value = value.Replace("{namespace}", ns + "." + appId, StringComparison.Ordinal);
        return value.Replace("{appID}", appId, StringComparison.Ordinal);
    }
}
