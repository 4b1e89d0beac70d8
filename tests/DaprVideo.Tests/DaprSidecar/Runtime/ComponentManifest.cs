namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>One <c>metadata</c> item of a component (dapr <c>pkg/apis/common/namevalue.go</c> <c>NameValuePair</c>).</summary>
/// <param name="Value"><c>DynamicValue.String()</c>; null when there is no raw value (absent or YAML null) – "" is a value.</param>
internal sealed record MetadataItem(string Name, string? Value, string SecretName, string SecretKey, string EnvRef);

/// <summary>
/// A <c>kind: Component</c> manifest decoded as daprd decodes it (dapr <c>pkg/apis/components/v1alpha1/types.go</c>
/// through sigs.k8s.io/yaml, see <see cref="K8sYaml"/>).
/// </summary>
internal sealed record ComponentManifest(
    string Name, string Namespace, string Type, string Version, bool IgnoreErrors, string InitTimeout,
    IReadOnlyList<MetadataItem> Metadata, string SecretStore, IReadOnlyList<string> Scopes, string SourceFile)
{
    public string LogName => Version.Length == 0 ? $"{Name} ({Type})" : $"{Name} ({Type}/{Version})";

    public static ComponentManifest Decode(GoYamlMap doc, string sourceFile, List<string> errors)
    {
        var meta = K8sYaml.AsObject(K8sYaml.Field(doc, "metadata"), "Component.metadata", errors);
        var spec = K8sYaml.AsObject(K8sYaml.Field(doc, "spec"), "Component.spec", errors);
        var auth = K8sYaml.AsObject(K8sYaml.Field(doc, "auth"), "Component.auth", errors);
        var items = new List<MetadataItem>();
        var metadataNode = K8sYaml.Field(spec, "metadata");
        if (metadataNode is GoYamlSeq seq)
        {
            foreach (var itemNode in seq.Items)
            {
                var item = K8sYaml.AsObject(itemNode, "Component.spec.metadata", errors);
                if (item is null) { items.Add(new MetadataItem("", null, "", "", "")); continue; }
                var secretRef = K8sYaml.AsObject(K8sYaml.Field(item, "secretKeyRef"), "Component.spec.metadata.secretKeyRef", errors);
                items.Add(new MetadataItem(
                    K8sYaml.AsString(K8sYaml.Field(item, "name"), "Component.spec.metadata.name", errors) ?? "",
                    K8sYaml.DynamicValueString(K8sYaml.Field(item, "value"), errors),
                    K8sYaml.AsString(K8sYaml.Field(secretRef, "name"), "Component.spec.metadata.secretKeyRef.name", errors) ?? "",
                    K8sYaml.AsString(K8sYaml.Field(secretRef, "key"), "Component.spec.metadata.secretKeyRef.key", errors) ?? "",
                    K8sYaml.AsString(K8sYaml.Field(item, "envRef"), "Component.spec.metadata.envRef", errors) ?? ""));
            }
        }
        else if (metadataNode is not null && !(metadataNode is GoYamlScalar s && GoScalar.Resolve(s).Kind == GoScalarKind.Null))
            errors.Add("json: cannot unmarshal into Go struct field ComponentSpec.spec.metadata of type []common.NameValuePair");

        return new ComponentManifest(
            K8sYaml.AsString(K8sYaml.Field(meta, "name"), "Component.metadata.name", errors) ?? "",
            K8sYaml.AsString(K8sYaml.Field(meta, "namespace"), "Component.metadata.namespace", errors) ?? "",
            K8sYaml.AsString(K8sYaml.Field(spec, "type"), "Component.spec.type", errors) ?? "",
            K8sYaml.AsString(K8sYaml.Field(spec, "version"), "Component.spec.version", errors) ?? "",
            K8sYaml.AsBool(K8sYaml.Field(spec, "ignoreErrors"), "Component.spec.ignoreErrors", errors),
            K8sYaml.AsString(K8sYaml.Field(spec, "initTimeout"), "Component.spec.initTimeout", errors) ?? "",
            items,
            K8sYaml.AsString(K8sYaml.Field(auth, "secretStore"), "Component.auth.secretStore", errors) ?? "",
            K8sYaml.AsStringList(K8sYaml.Field(doc, "scopes"), "Component.scopes", errors),
            sourceFile);
    }
}
