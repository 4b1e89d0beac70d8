namespace DaprVideo.Settings;

/// <summary>An absolute URL with one of <see cref="Schemes"/>; unset means the host derives it (see the meaning).</summary>
public sealed record UrlSetting(string Name, IReadOnlyList<string> Schemes, string DefaultDescription, string Meaning) : Setting(Name, Meaning)
{
    /// <summary>The value may hold credentials (userinfo, a token in the query): a bad value's error does not quote it.</summary>
    public bool Redacted { get; init; }

    public override string DefaultText => DefaultDescription;

    public override string AllowedText => $"an absolute {string.Join(" or ", Schemes)} URL";

    /// <summary>The error for a bad value; for a <see cref="Redacted"/> setting without the value.</summary>
    public SettingsException InvalidUrl(string value) =>
        Redacted ? new SettingsException(Name, $"must be {AllowedText} (the value is not shown: it may hold credentials).") : Invalid(value);
}
