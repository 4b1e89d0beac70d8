using System.Globalization;

namespace DaprVideo.Settings;

/// <summary>A number (invariant culture, '.' decimal point) from <see cref="Min"/> to <see cref="Max"/>.</summary>
public sealed record NumberSetting(string Name, double Default, double Min, double Max, string Meaning) : Setting(Name, Meaning)
{
    public override string DefaultText => Default.ToString(CultureInfo.InvariantCulture);

    public override string AllowedText => string.Create(CultureInfo.InvariantCulture, $"a number from {Min} to {Max}");

    public bool Allows(double value) => value >= Min && value <= Max;
}
