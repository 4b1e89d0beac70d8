namespace DaprVideo.Settings;

/// <summary>One of <see cref="Allowed"/>, any case; the reader returns it as written in <see cref="Allowed"/>.</summary>
public sealed record ChoiceSetting(string Name, string Default, IReadOnlyList<string> Allowed, string Meaning) : Setting(Name, Meaning)
{
    public override string DefaultText => $"`{Default}`";

    public override string AllowedText => "one of " + string.Join(", ", Allowed);
}
