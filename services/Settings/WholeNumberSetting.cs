using System.Globalization;

namespace DaprVideo.Settings;

/// <summary>An integer from <see cref="Min"/> to <see cref="Max"/>; <see cref="Word"/>, when given, is one more accepted value.</summary>
public sealed record WholeNumberSetting(string Name, int Default, int Min, int Max, string Meaning) : Setting(Name, Meaning)
{
    /// <summary>A word that stands for <see cref="WordValue"/> (TF_SERVING_INPUT_SIZE=full).</summary>
    public string? Word { get; init; }

    public int WordValue { get; init; }

    /// <summary>Shown instead of <see cref="Default"/> when the host supplies the default (APP_PORT).</summary>
    public string? DefaultDescription { get; init; }

    public override string DefaultText => DefaultDescription ?? Default.ToString(CultureInfo.InvariantCulture);

    public override string AllowedText =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number from {Min} to {Max}") + (Word is null ? "" : $" or '{Word}'");

    public bool Allows(int value) => (value >= Min && value <= Max) || (Word is not null && value == WordValue);
}
