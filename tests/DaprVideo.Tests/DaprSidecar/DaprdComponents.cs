using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.Resiliency;
using DaprVideo.Tests.DaprSidecar.Runtime;

namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// Turns what daprd loaded for an app (<see cref="SidecarResources"/>) into a stand-in's options: the S3 binding
/// over the bucket its metadata names, the http bindings, one broker client per pub/sub component, the Resiliency policies, the body
/// limit. A component whose metadata its real implementation would reject fails here, like daprd's start.
/// </summary>
public static class DaprdComponents
{
    /// <param name="wrapBackend">Lets a test observe the bucket (e.g. when each object was stored).</param>
    public static SidecarOptions Options(SidecarResources resources, string appId, long maxBodyBytes, KafkaClusterModel? kafka = null,
        Func<IObjectBackend, IObjectBackend>? wrapBackend = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var bindings = new Dictionary<string, S3BindingEmulator>(StringComparer.Ordinal);
        var pubsubs = new Dictionary<string, PubSubComponent>(StringComparer.Ordinal);
        var http = new Dictionary<string, HttpBindingEmulator>(StringComparer.Ordinal);
        try
        {
            foreach (var component in resources.Components)
            {
                switch (component.Type)
                {
                    case "bindings.aws.s3":
                        bindings[component.Name] = S3Binding(component, wrapBackend);
                        break;
                    case "bindings.http":
                        // components-contrib bindings/http/http.go Init (metadata decoded with kit's DecodeMetadata).
                        http[component.Name] = new HttpBindingEmulator(component.Name, component.Metadata);
                        break;
                    case "pubsub.redis" or "pubsub.kafka":
                        pubsubs[component.Name] = new PubSubComponent(component.Name,
                            PubSubBrokers.Create(component.Type, component.Metadata, appId, kafka),
                            PubSub.TopicRules.FromMetadata(component.Metadata));
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new DaprStartupException($"Fatal error from runtime: process component init error: {e.Message}");
        }

        return new SidecarOptions
        {
            AppId = appId,
            Bindings = bindings,
            HttpBindings = http,
            PubSubs = pubsubs,
            Resiliency = ResiliencySpec.Parse(resources.ResiliencyDocuments, appId: appId),
            Secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes),
            MaxBodyBytes = checked((int)maxBodyBytes),
        };
    }

    /// <summary>components-contrib bindings/aws/s3/s3.go Init: metadata decoded with kit's DecodeMetadata; an endpoint without scheme gets http:// when disableSSL.</summary>
    private static S3BindingEmulator S3Binding(ComponentSpec component, Func<IObjectBackend, IObjectBackend>? wrap)
    {
        var md = component.Metadata;
        string Get(string key) => md.TryGetValue(key, out var v) ? v : "";
        var endpoint = Get("endpoint");
        if (endpoint.Length > 0 && !endpoint.StartsWith("http://", StringComparison.Ordinal) && !endpoint.StartsWith("https://", StringComparison.Ordinal))
            endpoint = (Bool(md, "disableSSL") ? "http://" : "https://") + endpoint; // the AWS SDK defaults to https
        if (!Bool(md, "forcePathStyle"))
            throw new InvalidDataException($"{component.Name}: the stand-in reaches Ceph RGW with path-style addressing only (forcePathStyle: \"true\")");
        IObjectBackend backend = new S3ObjectBackend(new Uri(endpoint), Get("accessKey"), Get("secretKey"), Get("bucket"));
        if (wrap is not null) backend = wrap(backend);
        return new S3BindingEmulator(backend, Bool(md, "decodeBase64"), Bool(md, "encodeBase64"));
    }

    private static bool Bool(IReadOnlyDictionary<string, string> md, string key) => md.TryGetValue(key, out var v) && KitStrings.IsTruthy(v);
}
