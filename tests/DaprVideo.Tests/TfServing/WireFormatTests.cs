using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DaprVideo.ModelServer;
using DaprVideo.Tests.TfServing.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SkiaSharp;
using Tensorflow;
using Tensorflow.Serving;

namespace DaprVideo.Tests.TfServing;

/// <summary>
/// The ModelServer's wire format: a protobuf request built byte by byte from the field numbers of
/// tensorflow/serving, golden JSON in TF Serving's documented shapes, and its errors.
/// </summary>
public sealed class WireFormatTests : IAsyncLifetime, IDisposable
{
    private RunningModelServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _server = await RunningModelServer.StartAsync(new ColourCodedDetector(), new ModelServerOptions
    {
        BindAddress = IPAddress.Loopback,
        Port = 0,
        RestApiPort = 0,
        MaxDetections = 2, // keeps golden predict replies short
        MaxRequestBytes = 64 * 1024,
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "DaprVideo.Tests", "TfServing", "Golden", name));

    private string Rest(string path) => $"{_server.RestUrl}{path}";

    [Fact]
    public async Task A_hand_built_protobuf_predict_request_is_understood()
    {
        // PredictRequest written with raw tags (field numbers of predict.proto, model.proto, tensor.proto).
        var spec = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("default");          // ModelSpec.name
            w.WriteTag(3, WireFormat.WireType.LengthDelimited); w.WriteString("serving_default");  // ModelSpec.signature_name
        });
        var shape = Message(w =>
        {
            foreach (var size in new long[] { 1, 2, 2, 3 })
            {
                w.WriteTag(2, WireFormat.WireType.LengthDelimited);                                // TensorShapeProto.dim
                w.WriteBytes(Message(d => { d.WriteTag(1, WireFormat.WireType.Varint); d.WriteInt64(size); })); // Dim.size
            }
        });
        var pixels = Enumerable.Repeat(new byte[] { 10, 127, 51 }, 4).SelectMany(p => p).ToArray();
        var tensor = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Varint); w.WriteEnum(4);                                // dtype = DT_UINT8
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(shape);                  // tensor_shape
            w.WriteTag(4, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(pixels)); // tensor_content
        });
        var entry = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("inputs");              // map key
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(tensor);                 // map value
        });
        var request = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(spec);                   // model_spec
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(entry);                  // inputs
        });

        // gRPC framing by hand over cleartext HTTP/2: flag byte, big-endian length, message.
        var body = new byte[5 + request.Length];
        body[4] = (byte)request.Length; body[3] = (byte)(request.Length >> 8); body[2] = (byte)(request.Length >> 16);
        request.CopyTo(body, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_server.GrpcPort}/tensorflow.serving.PredictionService/Predict")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TE.ParseAdd("trailers");
        using var reply = await _http.SendAsync(message);
        var bytes = await reply.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", reply.TrailingHeaders.GetValues("grpc-status").Single());
        var response = PredictResponse.Parser.ParseFrom(bytes.AsSpan(5));
        Assert.Equal(["detection_boxes", "detection_classes", "detection_scores", "num_detections"], response.Outputs.Keys.Order());
        var boxes = response.Outputs["detection_boxes"];
        Assert.Equal(DataType.DtFloat, boxes.Dtype);
        Assert.Equal([1L, 2, 4], boxes.TensorShape.Dim.Select(d => d.Size));
        Assert.Equal(1f, Assert.Single(response.Outputs["num_detections"].FloatVal));
        Assert.Equal([11f, 0f], response.Outputs["detection_classes"].FloatVal);     // 1 + 10 % 90
        Assert.Equal([0.5f, 0f], response.Outputs["detection_scores"].FloatVal);     // (127 + 1) / 256
        Assert.Equal("default", response.ModelSpec.Name);
        Assert.Equal(1L, response.ModelSpec.Version);
    }

    [Fact]
    public async Task Model_status_and_metadata_match_the_golden_json()
    {
        JsonAssert.Equivalent(Golden("status.json"), await _http.GetStringAsync(Rest("/v1/models/default")));
        JsonAssert.Equivalent(Golden("status.json"), await _http.GetStringAsync(Rest("/v1/models/default/versions/1")));
        JsonAssert.Equivalent(Golden("metadata.json"), await _http.GetStringAsync(Rest("/v1/models/default/metadata")));
    }

    [Fact]
    public async Task Predict_in_row_and_columnar_format_matches_the_golden_json()
    {
        var image = "[[[10,127,51],[10,127,51]],[[10,127,51],[10,127,51]]]";
        var row = await PostAsync("/v1/models/default:predict", $"{{\"instances\":[{image}]}}");
        Assert.Equal(HttpStatusCode.OK, row.Status);
        JsonAssert.Equivalent(Golden("predict-row.json"), row.Body);

        var columnar = await PostAsync("/v1/models/default/versions/1:predict",
            $"{{\"signature_name\":\"serving_default\",\"inputs\":{{\"inputs\":[{image}]}}}}");
        Assert.Equal(HttpStatusCode.OK, columnar.Status);
        JsonAssert.Equivalent(Golden("predict-columnar.json"), columnar.Body);
    }

    [Fact]
    public async Task Encoded_images_are_decoded_from_b64_and_from_string_tensors()
    {
        var png = SolidPng(new SKColor(20, 200, 60));
        var rest = await PostAsync("/v1/models/default:predict", $"{{\"instances\":[{{\"b64\":\"{Convert.ToBase64String(png)}\"}}]}}");
        Assert.Equal(HttpStatusCode.OK, rest.Status);
        Assert.Contains("\"detection_classes\":[21,0]", rest.Body);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcPort}");
        var client = new PredictionService.PredictionServiceClient(channel);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "default" } };
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 2 } } } };
        tensor.StringVal.Add(ByteString.CopyFrom(png));
        tensor.StringVal.Add(ByteString.CopyFrom(SolidPng(new SKColor(30, 100, 0))));
        request.Inputs["inputs"] = tensor;
        var response = await client.PredictAsync(request);
        Assert.Equal([21f, 0f, 31f, 0f], response.Outputs["detection_classes"].FloatVal);
    }

    [Theory]
    [InlineData("/v1/models/nope:predict", "{\"instances\":[[[[1,2,3]]]]}", 404, "Servable not found for request: Latest(nope)")]
    [InlineData("/v1/models/default/versions/7:predict", "{\"instances\":[[[[1,2,3]]]]}", 404, "Servable not found for request: Specific(default, 7)")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[[[[1,2,", 400, "JSON Parse error")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[],\"inputs\":[]}", 400, "Not both")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[[[[1,2,256]]]]}", 400, "not an integer 0..255")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[[[[1,2,3],[4,5]]]]}", 400, "not rectangular")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[{\"b64\":\"bm90IGFuIGltYWdl\"}]}", 400, "not in a known format")]
    [InlineData("/v1/models/default:predict", "{\"signature_name\":\"other\",\"instances\":[[[[1,2,3]]]]}", 400, "Serving signature name: \"other\" not found")]
    [InlineData("/v1/models/default:predict", "{\"instances\":[{\"images\":[[[1,2,3]]]}]}", 400, "input tensor alias not found in signature: images")]
    [InlineData("/v1/models/default:predict", "{}", 400, "Missing 'inputs' or 'instances' key")]
    [InlineData("/v1/models/default:classify", "{}", 400, "predict only")]
    public async Task Rest_errors_look_like_tf_serving_errors(string path, string body, int status, string message)
    {
        var reply = await PostAsync(path, body);

        Assert.Equal(status, (int)reply.Status);
        using var error = System.Text.Json.JsonDocument.Parse(reply.Body);
        Assert.Contains(message, error.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unknown_model_status_is_404_and_oversized_bodies_are_refused()
    {
        using var status = await _http.GetAsync(Rest("/v1/models/nope"));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("{\"error\":\"Could not find any versions of model nope\"}", await status.Content.ReadAsStringAsync());

        var huge = "{\"instances\":[" + string.Join(",", Enumerable.Repeat("[[[1,2,3]]]", 10_000)) + "]}";
        // Expect: 100-continue lets the refusal arrive before the body is sent (otherwise the client may
        // see the connection close mid-upload instead of the 400, which is fine for a server but racy for a test).
        var reply = await PostAsync("/v1/models/default:predict", huge, expectContinue: true);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("limit", reply.Body);

        // Still serving afterwards.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/models/default:predict", "{\"instances\":[[[[1,2,3]]]]}")).Status);
    }

    [Fact]
    public async Task Grpc_errors_use_tf_serving_status_codes()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcPort}");
        var predict = new PredictionService.PredictionServiceClient(channel);
        var models = new ModelService.ModelServiceClient(channel);

        var floats = new PredictRequest { ModelSpec = new ModelSpec { Name = "default" } };
        floats.Inputs["inputs"] = new TensorProto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 1 } } }, FloatVal = { 1f } };
        var e1 = await Assert.ThrowsAsync<RpcException>(() => predict.PredictAsync(floats).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e1.StatusCode);
        Assert.Contains("Expects arg[0] to be uint8", e1.Status.Detail);

        var alias = new PredictRequest { ModelSpec = new ModelSpec { Name = "default" } };
        alias.Inputs["images"] = new TensorProto { Dtype = DataType.DtUint8 };
        var e2 = await Assert.ThrowsAsync<RpcException>(() => predict.PredictAsync(alias).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e2.StatusCode);

        var short_ = new PredictRequest { ModelSpec = new ModelSpec { Name = "default" } };
        short_.Inputs["inputs"] = new TensorProto { Dtype = DataType.DtUint8, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 1 }, new TensorShapeProto.Types.Dim { Size = 2 }, new TensorShapeProto.Types.Dim { Size = 2 }, new TensorShapeProto.Types.Dim { Size = 3 } } }, TensorContent = ByteString.CopyFrom(new byte[5]) };
        var e3 = await Assert.ThrowsAsync<RpcException>(() => predict.PredictAsync(short_).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e3.StatusCode);

        var e4 = await Assert.ThrowsAsync<RpcException>(() => models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "nope" } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e4.StatusCode);

        var status = await models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "default" } });
        Assert.Equal(ModelVersionStatus.Types.State.Available, Assert.Single(status.ModelVersionStatus).State);

        var metadata = await predict.GetModelMetadataAsync(new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "default" }, MetadataField = { "signature_def" } });
        Assert.Equal("type.googleapis.com/tensorflow.serving.SignatureDefMap", metadata.Metadata["signature_def"].TypeUrl);
        var signature = metadata.Metadata["signature_def"].Unpack<SignatureDefMap>().SignatureDef["serving_default"];
        Assert.Equal(DataType.DtUint8, signature.Inputs["inputs"].Dtype);
        Assert.Equal([-1L, 2, 4], signature.Outputs["detection_boxes"].TensorShape.Dim.Select(d => d.Size));
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string json, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Rest(path))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = expectContinue;
        using var reply = await _http.SendAsync(request);
        return (reply.StatusCode, await reply.Content.ReadAsStringAsync());
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static byte[] SolidPng(SKColor colour)
    {
        using var bitmap = new SKBitmap(16, 12);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
