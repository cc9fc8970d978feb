<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="mn_MN">
<context>
    <name>CrashDialog</name>
    <message>
        <source>Unexpected error</source>
        <translation>Гэнэтийн алдаа</translation>
    </message>
    <message numerus="yes">
        <source>%n unexpected error(s) occurred.</source>
        <translation>
            <numerusform>%n гэнэтийн алдаа гарлаа.</numerusform>
            <numerusform>%n гэнэтийн алдаа гарлаа.</numerusform>
        </translation>
    </message>
    <message>
        <source>An unexpected error occurred.</source>
        <translation>Гэнэтийн алдаа гарлаа.</translation>
    </message>
    <message>
        <source>Your saved work is safe. Copy the details below and send them to the support desk, together with what you were doing.</source>
        <translation>Хадгалсан ажил тань аюулгүй. Доорх дэлгэрэнгүй мэдээллийг хуулж, юу хийж байснаа бичээд дэмжлэгийн албанд илгээнэ үү.</translation>
    </message>
    <message>
        <source>&amp;Details:</source>
        <translation>&amp;Дэлгэрэнгүй:</translation>
    </message>
    <message>
        <source>Error details</source>
        <translation>Алдааны дэлгэрэнгүй</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>Дэлгэрэнгүйг &amp;хуулах</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Operator desk</source>
        <translation>Операторын ажлын байр</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Гарах</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <comment>menu</comment>
        <translation>&amp;Харагдац</translation>
    </message>
    <message>
        <source>&amp;Status bar</source>
        <translation>&amp;Төлөвийн мөр</translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation>&amp;Бүтэн дэлгэц</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>Хэ&amp;л</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Тусламж</translation>
    </message>
    <message>
        <source>&amp;About Operator desk</source>
        <translation>Операторын ажлын байрны &amp;тухай</translation>
    </message>
    <message>
        <source>The case queue will appear here.</source>
        <translation>Өргөдөл, гомдлын дараалал энд харагдана.</translation>
    </message>
    <message>
        <source>Case queue</source>
        <translation>Өргөдөл, гомдлын дараалал</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Бэлэн</translation>
    </message>
    <message>
        <source>Demo mode: the embedded demo service is not built yet.</source>
        <translation>Туршилтын горим: суулгасан туршилтын үйлчилгээ хараахан бэлэн болоогүй байна.</translation>
    </message>
    <message>
        <source>Connecting to {url} is not built yet.</source>
        <translation>{url} руу холбогдох боломж хараахан бэлэн болоогүй байна.</translation>
    </message>
    <message>
        <source>About Operator desk</source>
        <translation>Операторын ажлын байрны тухай</translation>
    </message>
    <message>
        <source>Operator desk {version}</source>
        <translation>Операторын ажлын байр {version}</translation>
    </message>
    <message>
        <source>The desk of the operators of the unified citizen call centre: calls and cases, saved on this computer first and synced with the central service.</source>
        <translation>Иргэдийн нэгдсэн дуудлагын төвийн операторын ажлын байр: дуудлага, өргөдөл гомдлыг эхлээд энэ компьютерт хадгалж, төв системтэй ижилсүүлнэ.</translation>
    </message>
</context>
</TS>
