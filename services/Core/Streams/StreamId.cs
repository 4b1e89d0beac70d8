using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DaprVideo.Core.Streams;

/// <summary>
/// A validated stream id (<c>^[a-z0-9][a-z0-9_-]{0,62}\z</c>). Ids end up in object keys,
/// file paths and URLs, so nothing else may ever be constructed into one.
/// </summary>
public readonly partial record struct StreamId
{
    // \z, not $: $ also matches before a final newline, and "cam\n" must not become an object key.
    public const string Pattern = "^[a-z0-9][a-z0-9_-]{0,62}\\z";

    public string Value { get; }

    private StreamId(string value) => Value = value;

    public static StreamId Parse(string? value) =>
        TryParse(value, out var id)
            ? id
            : throw new ArgumentException(
                $"Invalid stream id '{Truncate(value)}': use 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.");

    public static bool TryParse([NotNullWhen(true)] string? value, out StreamId id)
    {
        if (value is not null && IdRegex().IsMatch(value))
        {
            id = new StreamId(value);
            return true;
        }
        id = default;
        return false;
    }

    /// <summary>A valid id derived from a free-form name (a file name, say): lower-cased, other characters become '-'.</summary>
    public static StreamId FromName(string name)
    {
        var chars = name.ToLowerInvariant()
            .Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' ? c : '-')
            .SkipWhile(c => c is '_' or '-')
            .Take(63)
            .ToArray();
        return TryParse(new string(chars), out var id) ? id : new StreamId("stream");
    }

    public override string ToString() => Value;

    private static string Truncate(string? value) =>
        value is null ? "" : value.Length > 80 ? value[..80] + "..." : value;

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
