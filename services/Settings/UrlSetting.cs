namespace DaprVideo.Settings;

/// <summary>An absolute URL with one of <see cref="Schemes"/>; unset means the host derives it (see the meaning).</summary>
public sealed record UrlSetting(string Name, IReadOnlyList<string> Schemes, string DefaultDescription, string Meaning) : Setting(Name, Meaning)
{
    public override string DefaultText => DefaultDescription;

    public override string AllowedText => $"an absolute {string.Join(" or ", Schemes)} URL";
}
