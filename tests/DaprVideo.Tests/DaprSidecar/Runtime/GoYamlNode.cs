using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// One YAML node as the Go decoders see it before typing: scalars keep their text and whether they were plain
/// (only plain scalars are resolved to bool/int/float/null, go-yaml v2 <c>resolve.go</c>). Lines are 1-based.
/// </summary>
internal abstract record GoYamlNode(int Line);

internal sealed record GoYamlScalar(string Text, bool Plain, string? Tag, int Line) : GoYamlNode(Line);

internal sealed record GoYamlMap(IReadOnlyList<KeyValuePair<GoYamlNode, GoYamlNode>> Entries, int Line) : GoYamlNode(Line);

internal sealed record GoYamlSeq(IReadOnlyList<GoYamlNode> Items, int Line) : GoYamlNode(Line);

/// <summary>A document the YAML parser rejects (Go: <c>yaml: line N: ...</c>).</summary>
internal sealed class GoYamlSyntaxException(string message) : Exception(message);

/// <summary>
/// Reads the FIRST document of a YAML text, as go-yaml's <c>Unmarshal</c> does (later documents are never parsed:
/// go-yaml v2 decode.go <c>unmarshal</c> decodes <c>p.parse()</c> once). Aliases are expanded; <c>&lt;&lt;</c> merge
/// keys are expanded in place (go-yaml v2 <c>d.merge</c>).
/// </summary>
internal static class GoYamlReader
{
    public static GoYamlNode? ReadFirstDocument(string text)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, GoYamlNode>(StringComparer.Ordinal);
            var node = Read(parser, anchors);
            parser.Consume<DocumentEnd>();
            return node;
        }
        catch (YamlException e)
        {
            throw new GoYamlSyntaxException($"yaml: line {e.Start.Line}: {e.Message}");
        }
    }

    private static GoYamlNode Read(IParser parser, Dictionary<string, GoYamlNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new GoYamlSyntaxException($"yaml: line {alias.Start.Line}: unknown anchor '{alias.Value.Value}' referenced");

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
            var node = new GoYamlScalar(scalar.Value, scalar.Style == ScalarStyle.Plain && tag is null, tag, (int)scalar.Start.Line);
            Remember(anchors, scalar.Anchor, node);
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<GoYamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(Read(parser, anchors));
            var node = new GoYamlSeq(items, (int)seqStart.Start.Line);
            Remember(anchors, seqStart.Anchor, node);
            return node;
        }

        var mapStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<GoYamlNode, GoYamlNode>>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = Read(parser, anchors);
            var value = Read(parser, anchors);
            if (key is GoYamlScalar { Plain: true, Text: "<<" })
            {
                // Merge: the merged map's entries count as if written here; later keys override (last wins).
                foreach (var merged in value is GoYamlSeq many ? many.Items : [value])
                    if (merged is GoYamlMap m) entries.AddRange(m.Entries);
                continue;
            }
            entries.Add(new(key, value));
        }
        var map = new GoYamlMap(entries, (int)mapStart.Start.Line);
        Remember(anchors, mapStart.Anchor, map);
        return map;
    }

    private static void Remember(Dictionary<string, GoYamlNode> anchors, AnchorName anchor, GoYamlNode node)
    {
        if (!anchor.IsEmpty) anchors[anchor.Value] = node;
    }
}
