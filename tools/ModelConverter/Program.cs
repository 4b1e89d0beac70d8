using System.Diagnostics;
using DaprVideo.ModelConverter;
using DaprVideo.ModelConverter.Onnx;
using DaprVideo.ModelConverter.TensorFlow;
using Google.Protobuf;

ConverterOptions options;
try
{
    options = ConverterOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(ConverterOptions.Usage);
    return 2;
}

try
{
    var stopwatch = Stopwatch.StartNew();
    var tf = TfjsGraphModel.Load(options.ModelDirectory);
    var graph = new SsdGraphConverter(tf).Convert();
    var model = new ModelProto
    {
        IrVersion = 7, // IR 7 is the version that goes with opset 13
        ProducerName = "DaprVideo.ModelConverter",
        ProducerVersion = "1",
        ModelVersion = 1,
        DocString = $"SSDLite-MobileNetV2 COCO converted from {options.SourceDescription}. "
            + $"Input '{SsdGraphConverter.InputName}' uint8 [N,300,300,3] RGB; outputs "
            + $"'{SsdGraphConverter.ScoresName}' [N,1917,90] sigmoid scores (column j = COCO id j+1), "
            + $"'{SsdGraphConverter.BoxesName}' [N,1917,4] ymin,xmin,ymax,xmax normalised. No NMS.",
        Graph = graph,
    };
    model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = SsdGraphConverter.OpsetVersion });

    Directory.CreateDirectory(Path.GetDirectoryName(options.OutputPath)!);
    // Write next to the target and rename, so a failed run never leaves a truncated model behind.
    var temporary = options.OutputPath + ".tmp";
    await using (var stream = File.Create(temporary))
    {
        model.WriteTo(stream);
    }

    File.Move(temporary, options.OutputPath, overwrite: true);
    Console.WriteLine(
        $"wrote {options.OutputPath}: {new FileInfo(options.OutputPath).Length} bytes, "
        + $"{graph.Node.Count} nodes, {graph.Initializer.Count} initializers, {stopwatch.ElapsedMilliseconds} ms");
    return 0;
}
catch (ConversionException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
