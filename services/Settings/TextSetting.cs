using System.Text.RegularExpressions;

namespace DaprVideo.Settings;

/// <summary>
/// Free text, optionally matched against <see cref="Pattern"/>. Values are trimmed unless <see cref="Verbatim"/>
/// (tokens: a stray space is an error, not something to tidy away).
/// </summary>
public sealed record TextSetting(string Name, string? Default, string Meaning) : Setting(Name, Meaning)
{
    /// <summary>The whole value must match; <see cref="AllowedDescription"/> says it in words.</summary>
    public Regex? Pattern { get; init; }

    public string AllowedDescription { get; init; } = "any text";

    public bool Verbatim { get; init; }

    /// <summary>Shown instead of <see cref="Default"/> when the host computes the default (a path).</summary>
    public string? DefaultDescription { get; init; }

    public override string DefaultText => DefaultDescription ?? (Default is null ? "–" : $"`{Default}`");

    public override string AllowedText => AllowedDescription;
}
