namespace DaprVideo.ModelConverter;

/// <summary>Command line of the converter, validated before any work starts.</summary>
internal sealed record ConverterOptions(string ModelDirectory, string OutputPath, string SourceDescription)
{
    public const string Usage =
        "usage: DaprVideo.ModelConverter --model-dir <dir with model.json> --output <file.onnx> [--source <text for doc_string>]";

    public static ConverterOptions Parse(IReadOnlyList<string> args)
    {
        string? modelDirectory = null;
        string? output = null;
        var source = "TF.js graph model";
        for (var k = 0; k < args.Count; k++)
        {
            var value = k + 1 < args.Count ? args[k + 1] : throw new ArgumentException($"{args[k]} needs a value");
            switch (args[k])
            {
                case "--model-dir":
                    modelDirectory = value;
                    break;
                case "--output":
                    output = value;
                    break;
                case "--source":
                    source = value;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[k]}'");
            }

            k++;
        }

        if (modelDirectory is null || output is null)
        {
            throw new ArgumentException("--model-dir and --output are required");
        }

        if (!Directory.Exists(modelDirectory))
        {
            throw new ArgumentException($"model directory '{modelDirectory}' does not exist");
        }

        return new ConverterOptions(Path.GetFullPath(modelDirectory), Path.GetFullPath(output), source);
    }
}
