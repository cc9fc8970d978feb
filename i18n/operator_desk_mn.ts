<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="mn_MN">
<context>
    <name>ActionDialog</name>
    <message>
        <source>Save (Ctrl+Enter, F12)</source>
        <translation>Хадгалах (Ctrl+Enter, F12)</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <source>Discard what you typed?</source>
        <translation>Бичсэнээ хаях уу?</translation>
    </message>
    <message>
        <source>What you typed here is not saved. Discard it?</source>
        <translation>Энд бичсэн зүйл хадгалагдаагүй байна. Хаях уу?</translation>
    </message>
</context>
<context>
    <name>Availability</name>
    <message>
        <source>Available</source>
        <translation>Ажиллахад бэлэн</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Завгүй</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Түр гарсан</translation>
    </message>
    <message>
        <source>Offline</source>
        <comment>availability</comment>
        <translation>Ажлын бус</translation>
    </message>
</context>
<context>
    <name>AvailabilityControl</name>
    <message>
        <source>Your availability</source>
        <translation>Таны бэлэн байдал</translation>
    </message>
    <message>
        <source>Availability: not connected</source>
        <translation>Бэлэн байдал: холбогдоогүй</translation>
    </message>
    <message>
        <source>Availability: unknown</source>
        <translation>Бэлэн байдал: тодорхойгүй</translation>
    </message>
    <message>
        <source>Availability: {state}</source>
        <translation>Бэлэн байдал: {state}</translation>
    </message>
    <message>
        <source>{text} (could not reach the central service)</source>
        <translation>{text} (төв системд холбогдож чадсангүй)</translation>
    </message>
    <message>
        <source>Whether new cases may be given to you automatically</source>
        <translation>Шинэ хандалтыг танд автоматаар хуваарилж болох эсэх</translation>
    </message>
</context>
<context>
    <name>CallDialog</name>
    <message>
        <source>Log a call on {number}</source>
        <translation>Дуудлага бүртгэх: {number}</translation>
    </message>
    <message>
        <source>&amp;Direction:</source>
        <translation>&amp;Чиглэл:</translation>
    </message>
    <message>
        <source>&amp;Outcome:</source>
        <translation>&amp;Үр дүн:</translation>
    </message>
    <message>
        <source>&amp;Length (minutes):</source>
        <translation>Ү&amp;ргэлжилсэн хугацаа (минут):</translation>
    </message>
    <message>
        <source>&amp;Phone:</source>
        <translation>&amp;Утас:</translation>
    </message>
</context>
<context>
    <name>CallFlowDialog</name>
    <message>
        <source>New call</source>
        <translation>Шинэ дуудлага</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>Залгасан иргэн</translation>
    </message>
    <message>
        <source>&amp;Phone:</source>
        <translation>&amp;Утас:</translation>
    </message>
    <message>
        <source>e.g. 9911 2233</source>
        <translation>ж.нь 9911 2233</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Нэр:</translation>
    </message>
    <message>
        <source>&amp;Registration no.:</source>
        <translation>&amp;Регистрийн дугаар:</translation>
    </message>
    <message>
        <source>e.g. УБ99112233</source>
        <translation>ж.нь УБ99112233</translation>
    </message>
    <message>
        <source>Open a &amp;new case</source>
        <translation>&amp;Шинэ хандалт нээх</translation>
    </message>
    <message>
        <source>&amp;Add the call to the selected case</source>
        <translation>Дуудлагыг сонгосон хандалтад нэ&amp;мэх</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Хандалт</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Төрөл:</translation>
    </message>
    <message>
        <source>Ca&amp;tegory:</source>
        <translation>&amp;Ангилал:</translation>
    </message>
    <message>
        <source>Type to search</source>
        <translation>Бичиж хайна уу</translation>
    </message>
    <message>
        <source>P&amp;lace:</source>
        <translation>&amp;Байршил:</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>Т&amp;овч агуулга:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Дэлгэрэнгүй:</translation>
    </message>
    <message>
        <source>Pr&amp;iority:</source>
        <translation>Ач &amp;холбогдол:</translation>
    </message>
    <message>
        <source>C&amp;onfidential (the citizen asked, or misconduct)</source>
        <translation>Нуу&amp;ц (иргэн хүссэн, эсвэл албан тушаалын зөрчил)</translation>
    </message>
    <message>
        <source>Assign to &amp;me</source>
        <translation>&amp;Өөртөө хариуцуулах</translation>
    </message>
    <message>
        <source>Ce&amp;ntre:</source>
        <translation>Тө&amp;в:</translation>
    </message>
    <message>
        <source>Save (Ctrl+Enter, F12)</source>
        <translation>Хадгалах (Ctrl+Enter, F12)</translation>
    </message>
    <message>
        <source>Open the case</source>
        <translation>Хандалтыг нээх</translation>
    </message>
    <message>
        <source>Next call (F2)</source>
        <translation>Дараагийн дуудлага (F2)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Хаах</translation>
    </message>
    <message>
        <source>Case number to read to the citizen</source>
        <translation>Иргэнд хэлэх хандалтын дугаар</translation>
    </message>
    <message>
        <source>&amp;Note (optional):</source>
        <translation>&amp;Тэмдэглэл (заавал биш):</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Хадгалж байна…</translation>
    </message>
    <message>
        <source>Only the operator a confidential case is assigned to may add a call to it: tick “Assign to me” to save this call.</source>
        <translation>Нууц хандалтад зөвхөн түүнийг хариуцсан оператор дуудлага нэмж болно: энэ дуудлагыг хадгалахын тулд “Өөртөө хариуцуулах”-ыг сонгоно уу.</translation>
    </message>
    <message>
        <source>Choose the case in the list first.</source>
        <translation>Эхлээд жагсаалтаас хандалтаа сонгоно уу.</translation>
    </message>
    <message>
        <source>The call could not be saved.</source>
        <translation>Дуудлагыг хадгалж чадсангүй.</translation>
    </message>
    <message>
        <source>Case {number} is saved, but the call is not added to it yet; Save again to add it.</source>
        <translation>{number} дугаартай хандалт хадгалагдлаа, гэхдээ дуудлага түүнд хараахан нэмэгдээгүй; нэмэхийн тулд “Хадгалах”-ыг дахин дарна уу.</translation>
    </message>
    <message>
        <source>The call is added to case {number}, but the note is not saved yet; Save again to save it.</source>
        <translation>Дуудлагыг {number} дугаартай хандалтад нэмлээ, гэхдээ тэмдэглэл хараахан хадгалагдаагүй; хадгалахын тулд “Хадгалах”-ыг дахин дарна уу.</translation>
    </message>
    <message>
        <source>The call could not be saved on this computer. Try again; if it keeps failing, call the support desk.</source>
        <translation>Дуудлагыг энэ компьютерт хадгалж чадсангүй. Дахин оролдоно уу; дахин бүтэхгүй бол тусламжийн албанд хандана уу.</translation>
    </message>
    <message>
        <source>Saved. Case number:</source>
        <translation>Хадгаллаа. Хандалтын дугаар:</translation>
    </message>
    <message>
        <source>Read this number to the citizen. It may change once synced; they can still use it to ask about the case.</source>
        <translation>Энэ дугаарыг иргэнд хэлнэ үү. Синк хийгдсэний дараа дугаар өөрчлөгдөж болох ч иргэн энэ дугаараар лавлаж болно.</translation>
    </message>
    <message>
        <source>Call added to case:</source>
        <translation>Дуудлагыг дараах хандалтад нэмлээ:</translation>
    </message>
    <message>
        <source>Discard this call?</source>
        <translation>Энэ дуудлагыг хаях уу?</translation>
    </message>
    <message>
        <source>What you typed for this call is not saved. Discard it?</source>
        <translation>Энэ дуудлагад бичсэн зүйл хадгалагдаагүй байна. Хаях уу?</translation>
    </message>
</context>
<context>
    <name>CallerPanel</name>
    <message>
        <source>Callers found</source>
        <translation>Олдсон иргэд</translation>
    </message>
    <message>
        <source>Cases of the caller</source>
        <translation>Иргэний хандалтууд</translation>
    </message>
    <message>
        <source>Their cases:</source>
        <translation>Өмнөх хандалтууд:</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Дугаар</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Агуулга</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Төлөв</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Хүлээн авсан</translation>
    </message>
    <message>
        <source>Looking for earlier calls…</source>
        <translation>Өмнөх дуудлагыг хайж байна…</translation>
    </message>
    <message>
        <source>Type the phone or registration number: earlier calls show here.</source>
        <translation>Утас эсвэл регистрийн дугаараа оруулна уу: өмнөх дуудлагууд энд харагдана.</translation>
    </message>
    <message>
        <source>No earlier calls from this caller in this desk&apos;s cache.</source>
        <translation>Энэ компьютерийн санд энэ иргэний өмнөх дуудлага алга.</translation>
    </message>
    <message numerus="yes">
        <source>%n caller(s) found:</source>
        <translation>
            <numerusform>%n иргэн олдлоо:</numerusform>
            <numerusform>%n иргэн олдлоо:</numerusform>
        </translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(нэргүй)</translation>
    </message>
    <message>
        <source>{caller} (central registry)</source>
        <translation>{caller} (төв бүртгэл)</translation>
    </message>
    <message numerus="yes">
        <source>{caller} — %n case(s)</source>
        <translation>
            <numerusform>{caller} — %n хандалт</numerusform>
            <numerusform>{caller} — %n хандалт</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CaseLabels</name>
    <message>
        <source>New</source>
        <comment>status</comment>
        <translation>Шинэ</translation>
    </message>
    <message>
        <source>In progress</source>
        <comment>status</comment>
        <translation>Шийдвэрлэж байна</translation>
    </message>
    <message>
        <source>Waiting for the citizen</source>
        <comment>status</comment>
        <translation>Иргэнийг хүлээж байна</translation>
    </message>
    <message>
        <source>Transferred</source>
        <comment>status</comment>
        <translation>Шилжүүлсэн</translation>
    </message>
    <message>
        <source>Resolved</source>
        <comment>status</comment>
        <translation>Шийдвэрлэсэн</translation>
    </message>
    <message>
        <source>Closed</source>
        <comment>status</comment>
        <translation>Хаасан</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>Гомдол</translation>
    </message>
    <message>
        <source>Petition</source>
        <translation>Өргөдөл</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Хүсэлт</translation>
    </message>
    <message>
        <source>Criticism</source>
        <translation>Шүүмжлэл</translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation>Санал</translation>
    </message>
    <message>
        <source>Thanks</source>
        <translation>Талархал</translation>
    </message>
    <message>
        <source>Information request</source>
        <translation>Мэдээлэл лавлагаа</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Утас</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>Мессеж</translation>
    </message>
    <message>
        <source>Web</source>
        <translation>Вэб</translation>
    </message>
    <message>
        <source>Web chat</source>
        <translation>Вэб чат</translation>
    </message>
    <message>
        <source>Mobile app</source>
        <translation>Гар утасны апп</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Цахим шуудан</translation>
    </message>
    <message>
        <source>Facebook</source>
        <translation>Фэйсбүүк</translation>
    </message>
    <message>
        <source>Voicemail</source>
        <translation>Дуут шуудан</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Киоск</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Биечлэн</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Бичгээр</translation>
    </message>
    <message>
        <source>Low</source>
        <comment>priority</comment>
        <translation>Бага</translation>
    </message>
    <message>
        <source>Normal</source>
        <comment>priority</comment>
        <translation>Энгийн</translation>
    </message>
    <message>
        <source>High</source>
        <comment>priority</comment>
        <translation>Өндөр</translation>
    </message>
    <message>
        <source>Urgent</source>
        <comment>priority</comment>
        <translation>Яаралтай</translation>
    </message>
    <message>
        <source>No deadline</source>
        <translation>Хугацаагүй</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>Хугацаандаа</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Хугацаа дөхсөн</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Хугацаа хэтэрсэн</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Хариулсан</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Синк хийгдсэн</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>Синк хүлээж байна</translation>
    </message>
    <message>
        <source>Refused by the server</source>
        <translation>Сервер татгалзсан</translation>
    </message>
    <message>
        <source>Conflict to resolve</source>
        <translation>Зөрчил шийдвэрлэх</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Ахлах ажилтан</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Админ</translation>
    </message>
    <message>
        <source>Auditor</source>
        <translation>Аудитор</translation>
    </message>
    <message>
        <source>Answered</source>
        <comment>call outcome</comment>
        <translation>Холбогдсон</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Хариу өгөөгүй</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Завгүй</translation>
    </message>
    <message>
        <source>Asked to be called back</source>
        <translation>Эргэж залгахыг хүссэн</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>Тасарсан</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Ирсэн дуудлага</translation>
    </message>
    <message>
        <source>Outgoing call</source>
        <translation>Гарсан дуудлага</translation>
    </message>
    <message>
        <source>Internal note</source>
        <translation>Дотоод тэмдэглэл</translation>
    </message>
    <message>
        <source>Part of the answer to the citizen</source>
        <translation>Иргэнд өгөх хариуны хэсэг</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Товч агуулга</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Дэлгэрэнгүй</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Ангилал</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Төрөл</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Ач холбогдол</translation>
    </message>
    <message>
        <source>Registration number</source>
        <translation>Регистрийн дугаар</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Байршил</translation>
    </message>
    <message>
        <source>Citizen</source>
        <translation>Иргэний нэр</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Утасны дугаар</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Хаяг</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>Case</source>
        <translation>Хандалт</translation>
    </message>
    <message>
        <source>Select a case in the queue (Enter opens it), or take a call (F2).</source>
        <translation>Дарааллаас хандалт сонгоно уу (Enter дарж нээнэ), эсвэл дуудлага авна уу (F2).</translation>
    </message>
    <message>
        <source>Edit… (F4)</source>
        <translation>Засах… (F4)</translation>
    </message>
    <message>
        <source>Add note… (F6)</source>
        <translation>Тэмдэглэл… (F6)</translation>
    </message>
    <message>
        <source>Log call… (F7)</source>
        <translation>Дуудлага бүртгэх… (F7)</translation>
    </message>
    <message>
        <source>Change status… (F8)</source>
        <translation>Төлөв өөрчлөх… (F8)</translation>
    </message>
    <message>
        <source>Transfer… (F9)</source>
        <translation>Шилжүүлэх… (F9)</translation>
    </message>
    <message>
        <source>Link duplicate… (Shift+F4)</source>
        <translation>Давхардал холбох… (Shift+F4)</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>Хандалтын дугаар</translation>
    </message>
    <message>
        <source>Sections of the case</source>
        <translation>Хандалтын хэсгүүд</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Дэлгэрэнгүй</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Түүх</translation>
    </message>
    <message>
        <source>Timeline of the case</source>
        <translation>Хандалтын түүх</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Хэзээ</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Хэн</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Юу</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>Төрөл:</translation>
    </message>
    <message>
        <source>Category:</source>
        <translation>Ангилал:</translation>
    </message>
    <message>
        <source>Citizen:</source>
        <translation>Иргэн:</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Утас:</translation>
    </message>
    <message>
        <source>Registration no.:</source>
        <translation>Регистрийн дугаар:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Хаяг:</translation>
    </message>
    <message>
        <source>Place:</source>
        <translation>Байршил:</translation>
    </message>
    <message>
        <source>Centre:</source>
        <translation>Төв:</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Суваг:</translation>
    </message>
    <message>
        <source>Priority:</source>
        <translation>Ач холбогдол:</translation>
    </message>
    <message>
        <source>Assignee:</source>
        <translation>Хариуцагч:</translation>
    </message>
    <message>
        <source>Agency:</source>
        <translation>Байгууллага:</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>Хүлээн авсан:</translation>
    </message>
    <message>
        <source>Deadline:</source>
        <translation>Хугацаа:</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>Дэлгэрэнгүй:</translation>
    </message>
    <message>
        <source>Answer:</source>
        <translation>Хариу:</translation>
    </message>
    <message>
        <source>Details of the case</source>
        <translation>Хандалтын дэлгэрэнгүй</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Ачаалж байна…</translation>
    </message>
    <message>
        <source>This case is no longer in this desk&apos;s cache.</source>
        <translation>Энэ хандалт энэ компьютерийн санд байхаа больсон.</translation>
    </message>
    <message>
        <source>Anonymous</source>
        <translation>Нэрээ нууцалсан</translation>
    </message>
    <message>
        <source> · confidential</source>
        <translation> · нууц</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хариуцагчгүй</translation>
    </message>
    <message>
        <source>Timeline ({count})</source>
        <translation>Түүх ({count})</translation>
    </message>
    <message>
        <source>The change could not be saved on this computer.</source>
        <translation>Өөрчлөлтийг энэ компьютерт хадгалж чадсангүй.</translation>
    </message>
</context>
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
    <name>DeadlineWatch</name>
    <message>
        <source>&amp;Group by:</source>
        <translation>&amp;Бүлэглэх:</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Төв</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Баг</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <source>Agency (transferred cases)</source>
        <translation>Байгууллага (шилжүүлсэн хандалт)</translation>
    </message>
    <message>
        <source>Groups with &amp;late or nearly late cases:</source>
        <translation>Хугацаа хэтэрсэн эсвэл дөхсөн хандалттай бүл&amp;гүүд:</translation>
    </message>
    <message>
        <source>&amp;Cases of the chosen group:</source>
        <translation>Сонгосон бүлгийн &amp;хандалтууд:</translation>
    </message>
    <message>
        <source>Overdue and due soon per group</source>
        <translation>Бүлэг тус бүрийн хугацаа хэтэрсэн, дөхсөн хандалт</translation>
    </message>
    <message>
        <source>Overdue and due-soon cases</source>
        <translation>Хугацаа хэтэрсэн, дөхсөн хандалтууд</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Бүлэг</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Хугацаа хэтэрсэн</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Хугацаа дөхсөн</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Гарчиг</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Хандалт</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Хариуцагч</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Эцсийн хугацаа</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Төлөв</translation>
    </message>
    <message>
        <source>&amp;Open the case</source>
        <translation>Хандалтыг &amp;нээх</translation>
    </message>
    <message>
        <source>E&amp;xtend the deadline…</source>
        <translation>Хугацааг &amp;сунгах…</translation>
    </message>
    <message>
        <source>No team</source>
        <translation>Баггүй</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хуваарилаагүй</translation>
    </message>
</context>
<context>
    <name>DecisionsPanel</name>
    <message>
        <source>Needs your decision</source>
        <translation>Таны шийдвэр хэрэгтэй</translation>
    </message>
    <message>
        <source>“{field}” was changed on both sides. Server: “{server}”. This desk: “{mine}”.</source>
        <translation>“{field}” талбарыг хоёр талаас өөрчилсөн. Сервер дээр: “{server}”. Энэ компьютерт: “{mine}”.</translation>
    </message>
    <message>
        <source>Re-apply mine</source>
        <translation>Минийхийг дахин хэрэглэх</translation>
    </message>
    <message>
        <source>Keep server</source>
        <translation>Серверийнхийг үлдээх</translation>
    </message>
    <message>
        <source>Merge…</source>
        <translation>Нэгтгэх…</translation>
    </message>
    <message>
        <source>Conflict on the server ({action}): {reason}</source>
        <translation>Сервер дээр зөрчил гарлаа ({action}): {reason}</translation>
    </message>
    <message>
        <source>Refused by the server ({action}): {reason}</source>
        <translation>Сервер татгалзлаа ({action}): {reason}</translation>
    </message>
    <message>
        <source>Re-apply</source>
        <translation>Дахин хэрэглэх</translation>
    </message>
</context>
<context>
    <name>DemoMode</name>
    <message>
        <source>The demo could not start. The log file says why: {path}</source>
        <translation>Туршилтын горим эхэлж чадсангүй. Шалтгааныг бүртгэлийн файлаас харна уу: {path}</translation>
    </message>
    <message>
        <source>Preparing the demo: {done} of {total} cases created…</source>
        <translation>Туршилтын горимыг бэлдэж байна: {total} хандалтаас {done} нь үүслээ…</translation>
    </message>
    <message>
        <source>Starting the demo service…</source>
        <translation>Туршилтын үйлчилгээг эхлүүлж байна…</translation>
    </message>
    <message>
        <source>Signing in as the other demo account failed. The log file says why: {path}</source>
        <translation>Туршилтын нөгөө бүртгэлээр нэвтэрч чадсангүй. Шалтгааныг лог файлаас харна уу: {path}</translation>
    </message>
    <message>
        <source>Sign in as the demo &amp;operator</source>
        <translation>Туршилтын &amp;оператороор нэвтрэх</translation>
    </message>
    <message>
        <source>Sign in as the demo &amp;supervisor</source>
        <translation>Туршилтын &amp;ахлах ажилтнаар нэвтрэх</translation>
    </message>
</context>
<context>
    <name>EditDialog</name>
    <message>
        <source>Edit the case</source>
        <translation>Хандалт засах</translation>
    </message>
    <message>
        <source>{field}:</source>
        <translation>{field}:</translation>
    </message>
    <message>
        <source>Correct the fields marked in red.</source>
        <translation>Улаанаар тэмдэглэсэн талбаруудыг засна уу.</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>Юу ч өөрчлөгдөөгүй байна.</translation>
    </message>
</context>
<context>
    <name>ExtendDeadlineDialog</name>
    <message>
        <source>Extend the deadline</source>
        <translation>Хугацаа сунгах</translation>
    </message>
    <message>
        <source>none</source>
        <translation>байхгүй</translation>
    </message>
    <message>
        <source>Case {number}: answer due {date}. Up to {limit} more days, once.</source>
        <translation>Хандалт {number}: хариу өгөх хугацаа {date}. Нэг удаа, {limit} хүртэл хоногоор сунгана.</translation>
    </message>
    <message>
        <source>&amp;Days to add:</source>
        <translation>&amp;Нэмэх хоног:</translation>
    </message>
    <message>
        <source>&amp;Notice given to the citizen (required):</source>
        <translation>Иргэнд өгсөн &amp;мэдэгдэл (заавал):</translation>
    </message>
    <message>
        <source>This case&apos;s deadline cannot be extended.</source>
        <translation>Энэ хандалтын хугацааг сунгах боломжгүй.</translation>
    </message>
    <message>
        <source>Write the notice the citizen was given.</source>
        <translation>Иргэнд өгсөн мэдэгдлийг бичнэ үү.</translation>
    </message>
</context>
<context>
    <name>FieldErrors</name>
    <message>
        <source>Enter the phone number.</source>
        <translation>Утасны дугаараа оруулна уу.</translation>
    </message>
    <message>
        <source>This is a short service number, not a citizen&apos;s phone number.</source>
        <translation>Энэ бол үйлчилгээний богино дугаар, иргэний утасны дугаар биш.</translation>
    </message>
    <message>
        <source>A phone number has 8 digits; this one has {count}.</source>
        <translation>Утасны дугаар 8 оронтой; энэ нь {count} оронтой байна.</translation>
    </message>
    <message>
        <source>Not a Mongolian phone number: type 8 digits, e.g. 9911 2233.</source>
        <translation>Монгол утасны дугаар биш байна: 8 орон оруулна уу, ж.нь 9911 2233.</translation>
    </message>
    <message>
        <source>Enter the registration number.</source>
        <translation>Регистрийн дугаараа оруулна уу.</translation>
    </message>
    <message>
        <source>Digits 1-6 of a registration number are a birth date; these are not.</source>
        <translation>Регистрийн дугаарын эхний 6 орон нь төрсөн огноо байх ёстой; энэ нь огноо биш байна.</translation>
    </message>
    <message>
        <source>A registration number is two Cyrillic letters and eight digits, e.g. УБ99112233.</source>
        <translation>Регистрийн дугаар нь кирилл хоёр үсэг, найман цифр байна, ж.нь УБ99112233.</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>Заавал бөглөнө.</translation>
    </message>
    <message>
        <source>Too long: at most {limit} characters.</source>
        <translation>Хэт урт байна: дээд тал нь {limit} тэмдэгт.</translation>
    </message>
    <message>
        <source>Choose a value from the list.</source>
        <translation>Жагсаалтаас сонгоно уу.</translation>
    </message>
    <message>
        <source>This value is not allowed here.</source>
        <translation>Энэ утгыг энд оруулах боломжгүй.</translation>
    </message>
    <message>
        <source>This value is not valid.</source>
        <translation>Энэ утга буруу байна.</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Search (F3): number, phone, registration no., name or words</source>
        <translation>Хайх (F3): дугаар, утас, регистр, нэр эсвэл үг</translation>
    </message>
    <message>
        <source>Quick search</source>
        <translation>Шуурхай хайлт</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Шүүлтүүр арилгах</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>Төлөвөөр шүүх</translation>
    </message>
    <message>
        <source>Assignee filter</source>
        <translation>Хариуцагчаар шүүх</translation>
    </message>
    <message>
        <source>Deadline filter</source>
        <translation>Хугацаагаар шүүх</translation>
    </message>
    <message>
        <source>Case type filter</source>
        <translation>Төрлөөр шүүх</translation>
    </message>
    <message>
        <source>Category filter</source>
        <translation>Ангиллаар шүүх</translation>
    </message>
    <message>
        <source>Centre filter</source>
        <translation>Төвөөр шүүх</translation>
    </message>
    <message>
        <source>Channel filter</source>
        <translation>Сувгаар шүүх</translation>
    </message>
    <message>
        <source>Priority filter</source>
        <translation>Ач холбогдлоор шүүх</translation>
    </message>
    <message>
        <source>Sync state filter</source>
        <translation>Синкийн төлөвөөр шүүх</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>Нээлттэй хандалт</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Бүх төлөв</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>Бүх хариуцагч</translation>
    </message>
    <message>
        <source>Me</source>
        <translation>Би</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хариуцагчгүй</translation>
    </message>
    <message>
        <source>Any deadline</source>
        <translation>Бүх хугацаа</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Бүх төрөл</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Бүх ангилал</translation>
    </message>
    <message>
        <source>All centres</source>
        <translation>Бүх төв</translation>
    </message>
    <message>
        <source>All channels</source>
        <translation>Бүх суваг</translation>
    </message>
    <message>
        <source>Any priority</source>
        <translation>Бүх ач холбогдол</translation>
    </message>
    <message>
        <source>Any sync state</source>
        <translation>Бүх синкийн төлөв</translation>
    </message>
</context>
<context>
    <name>LinkDialog</name>
    <message>
        <source>Link to another case</source>
        <translation>Өөр хандалттай холбох</translation>
    </message>
    <message>
        <source>&amp;Case number:</source>
        <translation>&amp;Хандалтын дугаар:</translation>
    </message>
    <message>
        <source>e.g. 2026-000123 or P-7K3Q-17</source>
        <translation>ж.нь 2026-000123 эсвэл P-7K3Q-17</translation>
    </message>
    <message>
        <source>This case &amp;duplicates it</source>
        <translation>Энэ хандалт түүнийг &amp;давхардуулж байна</translation>
    </message>
    <message>
        <source>The cases are &amp;related</source>
        <translation>Хандалтууд &amp;хоорондоо холбоотой</translation>
    </message>
    <message>
        <source>Not a case number: e.g. 2026-000123 or P-7K3Q-17.</source>
        <translation>Хандалтын дугаар биш байна: ж.нь 2026-000123 эсвэл P-7K3Q-17.</translation>
    </message>
    <message>
        <source>That is this case&apos;s own number.</source>
        <translation>Энэ бол энэ хандалтын өөрийнх нь дугаар.</translation>
    </message>
    <message>
        <source>No case with this number in this desk&apos;s cache.</source>
        <translation>Энэ компьютерийн санд ийм дугаартай хандалт алга.</translation>
    </message>
    <message>
        <source>The case could not be looked up.</source>
        <translation>Хандалтыг хайж чадсангүй.</translation>
    </message>
</context>
<context>
    <name>LiveDesk</name>
    <message>
        <source>This computer has no usable keyring: your sign-in is kept only until the desk closes, and working offline will not be possible. Ask your administrator.</source>
        <translation>Энэ компьютерт ашиглах боломжтой түлхүүрийн сан алга: таны нэвтрэлт зөвхөн програмыг хаах хүртэл хадгалагдах бөгөөд офлайн ажиллах боломжгүй. Администратортаа хандана уу.</translation>
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
        <translation>Хандалтын дараалал энд харагдана.</translation>
    </message>
    <message>
        <source>Case queue</source>
        <translation>Хандалтын дараалал</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>Ха&amp;ндалт</translation>
    </message>
    <message>
        <source>&amp;New call (F2)</source>
        <translation>&amp;Шинэ дуудлага (F2)</translation>
    </message>
    <message>
        <source>&amp;Find (F3, Ctrl+K)</source>
        <translation>&amp;Хайх (F3, Ctrl+K)</translation>
    </message>
    <message>
        <source>&amp;Refresh the queue (F5)</source>
        <translation>Дарааллыг &amp;шинэчлэх (F5)</translation>
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
        <translation>Иргэдийн нэгдсэн дуудлагын төвийн операторын ажлын байр: дуудлага, хандалтыг эхлээд энэ компьютерт хадгалж, төв системтэй синк хийнэ.</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Merge “{field}”</source>
        <translation>“{field}” талбарыг нэгтгэх</translation>
    </message>
    <message>
        <source>On the server:</source>
        <translation>Сервер дээр:</translation>
    </message>
    <message>
        <source>From this desk:</source>
        <translation>Энэ компьютерээс:</translation>
    </message>
    <message>
        <source>&amp;Merged value:</source>
        <translation>&amp;Нэгтгэсэн утга:</translation>
    </message>
</context>
<context>
    <name>NavigationList</name>
    <message>
        <source>Queues</source>
        <translation>Дараалал</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>Миний хандалт</translation>
    </message>
    <message>
        <source>Team queue</source>
        <translation>Багийн дараалал</translation>
    </message>
    <message>
        <source>Centre queue</source>
        <translation>Төвийн дараалал</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Хайлт</translation>
    </message>
    <message>
        <source>Conflicts and rejections</source>
        <translation>Зөрчил, татгалзал</translation>
    </message>
    <message>
        <source>Workload board</source>
        <translation>Ачааллын самбар</translation>
    </message>
    <message>
        <source>Deadline watch</source>
        <translation>Хугацааны хяналт</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <source>Add a note to {number}</source>
        <translation>Тэмдэглэл нэмэх: {number}</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>&amp;Тэмдэглэл:</translation>
    </message>
    <message>
        <source>Part of the &amp;answer to the citizen</source>
        <translation>Иргэнд өгөх &amp;хариуны хэсэг</translation>
    </message>
    <message>
        <source>Write the note first.</source>
        <translation>Эхлээд тэмдэглэлээ бичнэ үү.</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message numerus="yes">
        <source>%n case(s) assigned to you</source>
        <translation>
            <numerusform>Танд %n хандалт хуваарилагдлаа</numerusform>
            <numerusform>Танд %n хандалт хуваарилагдлаа</numerusform>
        </translation>
    </message>
    <message>
        <source>{number}: {subject}</source>
        <translation>{number}: {subject}</translation>
    </message>
    <message numerus="yes">
        <source>{numbers} and %n more</source>
        <translation>
            <numerusform>{numbers} болон өөр %n</numerusform>
            <numerusform>{numbers} болон өөр %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OperatorApp</name>
    <message>
        <source>The desk cannot use its data folder {path}: {reason}. Choose another folder with --data-dir, or ask your administrator.</source>
        <translation>Ажлын байр өгөгдлийн хавтас {path}-ийг ашиглаж чадахгүй байна: {reason}. --data-dir-ээр өөр хавтас сонгох эсвэл администратортаа хандана уу.</translation>
    </message>
    <message>
        <source>The operator desk is already open with the data folder {path}. Switch to that window, or close it before starting the desk again. To run a second desk on this computer, give it another folder with --data-dir.</source>
        <translation>Операторын ажлын байр өгөгдлийн хавтас {path}-аар аль хэдийн нээлттэй байна. Тэр цонх руу шилжих, эсвэл түүнийг хааж байж ажлын байрыг дахин эхлүүлнэ үү. Энэ компьютер дээр хоёр дахь ажлын байр ажиллуулах бол --data-dir-ээр өөр хавтас өгнө үү.</translation>
    </message>
    <message>
        <source>Operator desk</source>
        <translation>Операторын ажлын байр</translation>
    </message>
</context>
<context>
    <name>PlacePicker</name>
    <message>
        <source>Aimag or the capital</source>
        <translation>Аймаг эсвэл нийслэл</translation>
    </message>
    <message>
        <source>District</source>
        <translation>Дүүрэг</translation>
    </message>
    <message>
        <source>Khoroo</source>
        <translation>Хороо</translation>
    </message>
    <message>
        <source>Soum</source>
        <translation>Сум</translation>
    </message>
    <message>
        <source>Bag</source>
        <translation>Баг</translation>
    </message>
</context>
<context>
    <name>QueueCells</name>
    <message>
        <source>Anonymous</source>
        <translation>Нэрээ нууцалсан</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хариуцагчгүй</translation>
    </message>
    <message>
        <source>{state}: due {date}</source>
        <translation>{state}: эцсийн хугацаа {date}</translation>
    </message>
</context>
<context>
    <name>QueueColumns</name>
    <message>
        <source>Number</source>
        <translation>Дугаар</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Төрөл</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Агуулга</translation>
    </message>
    <message>
        <source>Citizen</source>
        <translation>Иргэн</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Утас</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Ангилал</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Байршил</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Төлөв</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Хариуцагч</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Төв</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Суваг</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Ач холбогдол</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Хүлээн авсан</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>Хугацаа</translation>
    </message>
    <message>
        <source>Sync</source>
        <comment>column: sync state</comment>
        <translation>Синк</translation>
    </message>
</context>
<context>
    <name>QueueLegend</name>
    <message>
        <source>The queue could not be read. Press F5 to try again.</source>
        <translation>Дарааллыг уншиж чадсангүй. Дахин оролдохын тулд F5 дарна уу.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Ачаалж байна…</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n хандалт</numerusform>
            <numerusform>%n хандалт</numerusform>
        </translation>
    </message>
    <message>
        <source>Legend of colours and sync marks</source>
        <translation>Өнгө, синкийн тэмдгийн тайлбар</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Case queue with filters</source>
        <translation>Шүүлтүүртэй хандалтын дараалал</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <source>Case queue</source>
        <translation>Хандалтын дараалал</translation>
    </message>
    <message>
        <source>Press Enter to open the selected case; click a column title to sort.</source>
        <translation>Сонгосон хандалтыг нээхийн тулд Enter дарна уу; эрэмбэлэхийн тулд баганын гарчиг дээр дарна уу.</translation>
    </message>
</context>
<context>
    <name>ReassignDialog</name>
    <message>
        <source>Reassign cases</source>
        <translation>Хандалт дахин хуваарилах</translation>
    </message>
    <message>
        <source>Cases to reassign: {count}</source>
        <translation>Дахин хуваарилах хандалт: {count}</translation>
    </message>
    <message>
        <source>Assign &amp;to:</source>
        <translation>&amp;Хэнд:</translation>
    </message>
    <message>
        <source>Operator or team to assign to</source>
        <translation>Хуваарилах оператор эсвэл баг</translation>
    </message>
    <message>
        <source>Type a name or a team</source>
        <translation>Нэр эсвэл баг бичнэ үү</translation>
    </message>
    <message>
        <source>&amp;Reason (required):</source>
        <translation>&amp;Шалтгаан (заавал):</translation>
    </message>
    <message>
        <source>Reassign (Ctrl+Enter, F12)</source>
        <translation>Дахин хуваарилах (Ctrl+Enter, F12)</translation>
    </message>
    <message>
        <source>Result of each case</source>
        <translation>Хандалт тус бүрийн үр дүн</translation>
    </message>
    <message>
        <source>Reassignment progress</source>
        <translation>Дахин хуваарилалтын явц</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Хандалт</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Үр дүн</translation>
    </message>
    <message>
        <source>Re&amp;assign</source>
        <translation>&amp;Дахин хуваарилах</translation>
    </message>
    <message>
        <source>&amp;Show only the cases that did not go through</source>
        <translation>&amp;Зөвхөн амжилтгүй болсон хандалтыг харуулах</translation>
    </message>
    <message>
        <source>Choose an operator or a team from the list.</source>
        <translation>Жагсаалтаас оператор эсвэл баг сонгоно уу.</translation>
    </message>
    <message>
        <source>Say why the cases are reassigned.</source>
        <translation>Хандалтыг яагаад дахин хуваарилж буйг бичнэ үү.</translation>
    </message>
    <message>
        <source>Saving {count} reassignments on this computer…</source>
        <translation>{count} дахин хуваарилалтыг энэ компьютерт хадгалж байна…</translation>
    </message>
    <message>
        <source>None of these cases is in this desk&apos;s cache any more: nothing to do.</source>
        <translation>Эдгээр хандалтын аль нь ч энэ компьютерийн санд байхаа больсон: хийх зүйл алга.</translation>
    </message>
    <message>
        <source>The reassignment could not be saved on this computer.</source>
        <translation>Дахин хуваарилалтыг энэ компьютерт хадгалж чадсангүй.</translation>
    </message>
    <message>
        <source>Results from the central service: {back} of {total}</source>
        <translation>Төв системээс ирсэн үр дүн: {total}-с {back}</translation>
    </message>
    <message>
        <source>Applied on the server: {applied} · conflicts: {conflicts} · rejected: {rejected}</source>
        <translation>Төв системд хийгдсэн: {applied} · зөрчил: {conflicts} · татгалзсан: {rejected}</translation>
    </message>
    <message>
        <source>Waiting to sync: {waiting} · refused here: {refused} · no change: {same}</source>
        <translation>Илгээхийг хүлээж буй: {waiting} · энд татгалзсан: {refused} · өөрчлөлтгүй: {same}</translation>
    </message>
</context>
<context>
    <name>ReassignOutcome</name>
    <message>
        <source>Saved here, waiting to sync</source>
        <translation>Энд хадгалсан, илгээхийг хүлээж байна</translation>
    </message>
    <message>
        <source>Refused here</source>
        <translation>Энд татгалзсан</translation>
    </message>
    <message>
        <source>No change needed</source>
        <translation>Өөрчлөх шаардлагагүй</translation>
    </message>
    <message>
        <source>Applied on the server</source>
        <translation>Төв системд хийгдсэн</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Зөрчил</translation>
    </message>
    <message>
        <source>Rejected by the server</source>
        <translation>Төв систем татгалзсан</translation>
    </message>
    <message>
        <source>No longer on this computer</source>
        <translation>Энэ компьютерт байхгүй болсон</translation>
    </message>
    <message>
        <source>{stage}: {reason}</source>
        <translation>{stage}: {reason}</translation>
    </message>
    <message>
        <source>Conflict: {by} reassigned it first (now: {holder})</source>
        <translation>Зөрчил: {by} түрүүлж дахин хуваарилсан (одоо: {holder})</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>хэн ч биш</translation>
    </message>
    <message>
        <source>No change needed: already assigned so</source>
        <translation>Өөрчлөх шаардлагагүй: аль хэдийн ингэж хуваарилагдсан</translation>
    </message>
</context>
<context>
    <name>Refusals</name>
    <message>
        <source>A text is too long.</source>
        <translation>Бичвэр хэт урт байна.</translation>
    </message>
    <message>
        <source>A phone number has 8 digits; this one has a different count.</source>
        <translation>Утасны дугаар 8 оронтой; энэ нь өөр тооны оронтой байна.</translation>
    </message>
    <message>
        <source>Some of the values are not valid.</source>
        <translation>Зарим утга буруу байна.</translation>
    </message>
    <message>
        <source>Your role does not allow this change for this case.</source>
        <translation>Таны эрх энэ хандалтад ийм өөрчлөлт хийхийг зөвшөөрөхгүй.</translation>
    </message>
    <message>
        <source>The case is no longer in your queue (moved or removed).</source>
        <translation>Хандалт таны дараалалд байхаа больсон (шилжсэн эсвэл хасагдсан).</translation>
    </message>
    <message>
        <source>This change was already saved with different content.</source>
        <translation>Энэ өөрчлөлт өөр агуулгатайгаар аль хэдийн хадгалагдсан байна.</translation>
    </message>
    <message>
        <source>The case&apos;s status changed meanwhile; this step is no longer possible.</source>
        <translation>Энэ хооронд хандалтын төлөв өөрчлөгдсөн тул энэ алхмыг хийх боломжгүй болсон.</translation>
    </message>
    <message>
        <source>This status change needs a reason.</source>
        <translation>Энэ төлөвийн өөрчлөлтөд шалтгаан заавал бичнэ.</translation>
    </message>
    <message>
        <source>Someone else assigned the case meanwhile.</source>
        <translation>Энэ хооронд өөр хүн хандалтыг хуваарилсан байна.</translation>
    </message>
    <message>
        <source>Someone else changed the same field meanwhile.</source>
        <translation>Энэ хооронд өөр хүн мөн талбарыг өөрчилсөн байна.</translation>
    </message>
    <message>
        <source>This case has no deadline to extend.</source>
        <translation>Энэ хандалтад сунгах хугацаа байхгүй.</translation>
    </message>
    <message>
        <source>The deadline was already extended once.</source>
        <translation>Хугацааг нэг удаа сунгасан байна.</translation>
    </message>
    <message>
        <source>The extension is longer than allowed.</source>
        <translation>Сунгалт зөвшөөрөгдөх хэмжээнээс урт байна.</translation>
    </message>
    <message>
        <source>This conflict was already resolved.</source>
        <translation>Энэ зөрчлийг аль хэдийн шийдвэрлэсэн.</translation>
    </message>
    <message>
        <source>The central service failed on this change; the support desk can see it.</source>
        <translation>Төв систем энэ өөрчлөлтийг боловсруулж чадсангүй; тусламжийн алба үүнийг харж байгаа.</translation>
    </message>
    <message>
        <source>The change was refused.</source>
        <translation>Өөрчлөлтийг хүлээн аваагүй.</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in: Operator desk</source>
        <translation>Нэвтрэх: Операторын ажлын байр</translation>
    </message>
    <message>
        <source>Sign in to the central service to sync your cases. Your work is saved on this computer either way.</source>
        <translation>Хандалтуудаа синк хийхийн тулд төв системд нэвтэрнэ үү. Таны ажил ямар ч тохиолдолд энэ компьютерт хадгалагдана.</translation>
    </message>
    <message>
        <source>&amp;Server address:</source>
        <translation>&amp;Серверийн хаяг:</translation>
    </message>
    <message>
        <source>https://central.example.mn</source>
        <translation>https://central.example.mn</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Серверийн хаяг</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Хэрэглэгчийн нэр:</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Хэрэглэгчийн нэр</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Нууц үг:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Нууц үг</translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation>Нэв&amp;трэх</translation>
    </message>
    <message>
        <source>Work &amp;offline</source>
        <translation>&amp;Офлайн ажиллах</translation>
    </message>
    <message>
        <source>Unlock the cases saved on this computer with your password, without the server.</source>
        <translation>Энэ компьютерт хадгалсан хандалтуудыг сервергүйгээр нууц үгээрээ нээх.</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Гарах</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Нэвтэрч байна…</translation>
    </message>
    <message>
        <source>That is not a server address. Type it as https://host, or as http://127.0.0.1:port for a service on this computer.</source>
        <translation>Энэ нь серверийн хаяг биш байна. https://host хэлбэрээр, эсвэл энэ компьютер дээрх үйлчилгээний хувьд http://127.0.0.1:port хэлбэрээр бичнэ үү.</translation>
    </message>
    <message>
        <source>Type your user name and password.</source>
        <translation>Хэрэглэгчийн нэр, нууц үгээ оруулна уу.</translation>
    </message>
    <message>
        <source>The user name or password is wrong.</source>
        <translation>Хэрэглэгчийн нэр эсвэл нууц үг буруу байна.</translation>
    </message>
    <message>
        <source>This account is disabled. Ask your supervisor.</source>
        <translation>Энэ бүртгэл идэвхгүй болсон байна. Ахлах ажилтнаасаа асууна уу.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins. Try again in {seconds} seconds.</source>
        <translation>Хэт олон удаа амжилтгүй нэвтэрсэн байна. {seconds} секундын дараа дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins. Try again later.</source>
        <translation>Хэт олон удаа амжилтгүй нэвтэрсэн байна. Дараа дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>The server cannot be reached. Check the address and the network, or work offline.</source>
        <translation>Сервертэй холбогдож чадсангүй. Хаяг, сүлжээгээ шалгана уу, эсвэл офлайн ажиллана уу.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted. Ask your administrator.</source>
        <translation>Серверийн гэрчилгээ итгэмжлэгдээгүй байна. Системийн администратортоо хандана уу.</translation>
    </message>
    <message>
        <source>That address answers, but it is not the central service.</source>
        <translation>Энэ хаяг хариу өгч байгаа ч төв систем биш байна.</translation>
    </message>
    <message>
        <source>The server had a problem. Try again in a moment.</source>
        <translation>Серверт алдаа гарлаа. Хэсэг хугацааны дараа дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>The server needs a newer version of the desk.</source>
        <translation>Сервер програмын шинэ хувилбар шаардаж байна.</translation>
    </message>
    <message>
        <source>This computer has no saved cases for this user: sign in online first.</source>
        <translation>Энэ компьютерт энэ хэрэглэгчийн хадгалсан хандалт алга: эхлээд онлайнаар нэвтэрнэ үү.</translation>
    </message>
    <message>
        <source>The password is wrong.</source>
        <translation>Нууц үг буруу байна.</translation>
    </message>
    <message>
        <source>Working offline is allowed for 14 days after the last online sign-in. Sign in online.</source>
        <translation>Сүүлд онлайнаар нэвтэрснээс хойш 14 хоногийн турш офлайн ажиллах боломжтой. Онлайнаар нэвтэрнэ үү.</translation>
    </message>
    <message>
        <source>Working offline was refused: check this computer&apos;s clock, or sign in online.</source>
        <translation>Офлайн ажиллахыг зөвшөөрсөнгүй: энэ компьютерийн цагийг шалгана уу, эсвэл онлайнаар нэвтэрнэ үү.</translation>
    </message>
    <message>
        <source>The cases saved on this computer could not be opened. See the log file.</source>
        <translation>Энэ компьютерт хадгалсан хандалтуудыг нээж чадсангүй. Бүртгэлийн файлыг харна уу.</translation>
    </message>
    <message>
        <source>The sign-in failed.</source>
        <translation>Нэвтэрч чадсангүй.</translation>
    </message>
</context>
<context>
    <name>StatusDialog</name>
    <message>
        <source>Change the status</source>
        <translation>Төлөв өөрчлөх</translation>
    </message>
    <message>
        <source>&amp;New status:</source>
        <translation>&amp;Шинэ төлөв:</translation>
    </message>
    <message>
        <source>&amp;Answer given to the citizen:</source>
        <translation>Иргэнд өгсөн &amp;хариу:</translation>
    </message>
    <message>
        <source>&amp;Reason (required):</source>
        <translation>Ш&amp;алтгаан (заавал):</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>Ш&amp;алтгаан:</translation>
    </message>
    <message>
        <source>Say why: this step needs a reason.</source>
        <translation>Энэ алхамд шалтгаан заавал бичнэ.</translation>
    </message>
</context>
<context>
    <name>SupervisorDesk</name>
    <message>
        <source>Supervisor desk</source>
        <translation>Ахлах ажилтны ширээ</translation>
    </message>
    <message>
        <source>The selection holds no open cases.</source>
        <translation>Сонголтод нээлттэй хандалт алга.</translation>
    </message>
    <message>
        <source>You may not extend this case&apos;s deadline.</source>
        <translation>Та энэ хандалтын хугацааг сунгах эрхгүй.</translation>
    </message>
    <message>
        <source>This case&apos;s deadline was already extended once.</source>
        <translation>Энэ хандалтын хугацааг нэг удаа сунгасан байна.</translation>
    </message>
    <message>
        <source>The change could not be saved on this computer.</source>
        <translation>Өөрчлөлтийг энэ компьютерт хадгалж чадсангүй.</translation>
    </message>
</context>
<context>
    <name>SupervisorMenu</name>
    <message>
        <source>&amp;Supervisor</source>
        <translation>&amp;Ахлах ажилтан</translation>
    </message>
    <message>
        <source>&amp;Reassign the selected cases… (Shift+F9)</source>
        <translation>Сонгосон хандалтыг &amp;дахин хуваарилах… (Shift+F9)</translation>
    </message>
    <message>
        <source>&amp;Extend the deadline… (Shift+F8)</source>
        <translation>Хугацааг &amp;сунгах… (Shift+F8)</translation>
    </message>
    <message>
        <source>&amp;Workload board (Shift+F5)</source>
        <translation>&amp;Ачааллын самбар (Shift+F5)</translation>
    </message>
    <message>
        <source>&amp;Deadline watch</source>
        <translation>&amp;Хугацааны хяналт</translation>
    </message>
    <message>
        <source>&amp;Team auto-assignment…</source>
        <translation>&amp;Багийн автомат хуваарилалт…</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Sync state</source>
        <translation>Синкийн төлөв</translation>
    </message>
    <message>
        <source>First sync progress</source>
        <translation>Анхны синкийн явц</translation>
    </message>
    <message>
        <source>First sync: {done} of {total}</source>
        <translation>Анхны синк: {done} / {total}</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Холбогдоогүй</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n өөрчлөлт хүлээгдэж байна</numerusform>
            <numerusform>%n өөрчлөлт хүлээгдэж байна</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n need(s) your decision</source>
        <translation>
            <numerusform>%n зүйлд таны шийдвэр хэрэгтэй</numerusform>
            <numerusform>%n зүйлд таны шийдвэр хэрэгтэй</numerusform>
        </translation>
    </message>
    <message>
        <source>last synced {time}</source>
        <translation>сүүлд {time} синк хийсэн</translation>
    </message>
    <message>
        <source>never synced</source>
        <translation>синк хийж байгаагүй</translation>
    </message>
    <message>
        <source>check this computer&apos;s clock</source>
        <translation>компьютерийн цагаа шалгана уу</translation>
    </message>
    <message>
        <source>sign-in is not remembered</source>
        <translation>нэвтрэлт хадгалагдахгүй</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Онлайн</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Офлайн</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Синк хийж байна…</translation>
    </message>
    <message>
        <source>Signed out: sign in to sync</source>
        <translation>Гарсан байна: синк хийхийн тулд нэвтэрнэ үү</translation>
    </message>
    <message>
        <source>Update the desk to sync</source>
        <translation>Синк хийхийн тулд програмаа шинэчилнэ үү</translation>
    </message>
    <message>
        <source>Last problem: {code}</source>
        <translation>Сүүлийн алдаа: {code}</translation>
    </message>
</context>
<context>
    <name>TeamAssignmentDialog</name>
    <message>
        <source>Team auto-assignment</source>
        <translation>Багийн автомат хуваарилалт</translation>
    </message>
    <message>
        <source>&amp;Team:</source>
        <translation>&amp;Баг:</translation>
    </message>
    <message>
        <source>&amp;New cases go:</source>
        <translation>&amp;Шинэ хандалтыг:</translation>
    </message>
    <message>
        <source>Not automatically (off)</source>
        <translation>Автоматаар биш (унтраалттай)</translation>
    </message>
    <message>
        <source>In turn (round robin)</source>
        <translation>Ээлжээр (round robin)</translation>
    </message>
    <message>
        <source>To the least loaded</source>
        <translation>Хамгийн бага ачаалалтайд</translation>
    </message>
    <message>
        <source>&amp;Most open cases per operator:</source>
        <translation>Нэг операторт &amp;хамгийн ихдээ нээлттэй хандалт:</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>Хязгааргүй</translation>
    </message>
    <message>
        <source>&amp;Skills (comma-separated codes; empty means any):</source>
        <translation>&amp;Ур чадвар (таслалаар тусгаарласан код; хоосон бол бүгд):</translation>
    </message>
    <message>
        <source>Skills per operator</source>
        <translation>Оператор тус бүрийн ур чадвар</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <source>Case types</source>
        <translation>Хандалтын төрөл</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Хэл</translation>
    </message>
    <message>
        <source>Regions</source>
        <translation>Бүс нутаг</translation>
    </message>
    <message>
        <source>Your sign-in has expired. Sign in again, then try once more.</source>
        <translation>Таны нэвтрэлтийн хугацаа дууссан. Дахин нэвтэрч, дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>Your role does not allow changing this team&apos;s auto-assignment.</source>
        <translation>Таны эрх энэ багийн автомат хуваарилалтыг өөрчлөхийг зөвшөөрөхгүй.</translation>
    </message>
    <message>
        <source>The central service is busy. Try again in a moment.</source>
        <translation>Төв систем завгүй байна. Хэсэг хугацааны дараа дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>The central service refused these settings: a value is not valid.</source>
        <translation>Төв систем эдгээр тохиргоог хүлээж авсангүй: нэг утга буруу байна.</translation>
    </message>
    <message>
        <source>The central service no longer knows this team.</source>
        <translation>Төв системд энэ баг бүртгэлгүй болсон байна.</translation>
    </message>
    <message>
        <source>The central service failed on this request (error {status}).</source>
        <translation>Төв систем энэ хүсэлтийг гүйцэтгэж чадсангүй (алдаа {status}).</translation>
    </message>
    <message>
        <source>The central service sent an answer this desk does not understand.</source>
        <translation>Төв системээс энэ ажлын байрны ойлгохгүй хариу ирлээ.</translation>
    </message>
    <message>
        <source>The central service could not be reached. Try again when online.</source>
        <translation>Төв системд холбогдож чадсангүй. Онлайн болсон үед дахин оролдоно уу.</translation>
    </message>
    <message>
        <source>The settings could not be saved.</source>
        <translation>Тохиргоог хадгалж чадсангүй.</translation>
    </message>
    <message>
        <source>The settings could not be read.</source>
        <translation>Тохиргоог уншиж чадсангүй.</translation>
    </message>
</context>
<context>
    <name>TimelineWriter</name>
    <message>
        <source>Auto-assignment</source>
        <translation>Автомат хуваарилалт</translation>
    </message>
    <message>
        <source>Note: {text}</source>
        <translation>Тэмдэглэл: {text}</translation>
    </message>
    <message>
        <source>{direction}, {duration}: {outcome}</source>
        <translation>{direction}, {duration}: {outcome}</translation>
    </message>
    <message>
        <source>Sync: conflict on “{change}”: {reason}</source>
        <translation>Синк: зөрчил гарсан (“{change}”): {reason}</translation>
    </message>
    <message>
        <source>Sync: the server refused “{change}”: {reason}</source>
        <translation>Синк: сервер хүлээж аваагүй (“{change}”): {reason}</translation>
    </message>
    <message>
        <source>Central service</source>
        <translation>Төв систем</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) saved on this computer, waiting to sync</source>
        <translation>
            <numerusform>Энэ компьютерт %n өөрчлөлт хадгалагдаж, синк хүлээж байна</numerusform>
            <numerusform>Энэ компьютерт %n өөрчлөлт хадгалагдаж, синк хүлээж байна</numerusform>
        </translation>
    </message>
    <message>
        <source>Case registered</source>
        <translation>Хандалт бүртгэгдсэн</translation>
    </message>
    <message>
        <source>Status: {old} → {new}</source>
        <translation>Төлөв: {old} → {new}</translation>
    </message>
    <message>
        <source>Assigned automatically to {person}</source>
        <translation>Автоматаар хуваарилсан хариуцагч: {person}</translation>
    </message>
    <message>
        <source>Assigned to {person}</source>
        <translation>Хариуцагч: {person}</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хариуцагчаас чөлөөлсөн</translation>
    </message>
    <message>
        <source>Transferred to {agency}</source>
        <translation>Шилжүүлсэн байгууллага: {agency}</translation>
    </message>
    <message numerus="yes">
        <source>Deadline extended by %n day(s)</source>
        <translation>
            <numerusform>Хугацааг %n хоногоор сунгасан</numerusform>
            <numerusform>Хугацааг %n хоногоор сунгасан</numerusform>
        </translation>
    </message>
    <message>
        <source>{agency} answered: case resolved</source>
        <translation>Байгууллагын хариу ирсэн ({agency}): хандалт шийдвэрлэгдсэн</translation>
    </message>
    <message>
        <source>Interim answer from {agency} recorded</source>
        <translation>Байгууллагын завсрын хариу бүртгэсэн: {agency}</translation>
    </message>
    <message>
        <source>Marked as a duplicate of another case</source>
        <translation>Өөр хандалтын давхардал гэж тэмдэглэсэн</translation>
    </message>
    <message>
        <source>Linked to another case</source>
        <translation>Өөр хандалттай холбосон</translation>
    </message>
    <message>
        <source>Changed: {fields}</source>
        <translation>Өөрчилсөн: {fields}</translation>
    </message>
    <message>
        <source>Conflict on “{field}” resolved: {choice}</source>
        <translation>“{field}” талбарын зөрчлийг шийдсэн: {choice}</translation>
    </message>
    <message>
        <source>Note added</source>
        <translation>Тэмдэглэл нэмсэн</translation>
    </message>
    <message>
        <source>Call logged</source>
        <translation>Дуудлага бүртгэсэн</translation>
    </message>
    <message>
        <source>{event} ({reason})</source>
        <translation>{event} ({reason})</translation>
    </message>
    <message>
        <source>kept the server&apos;s value</source>
        <translation>серверийн утгыг үлдээсэн</translation>
    </message>
    <message>
        <source>applied this desk&apos;s value again</source>
        <translation>энэ компьютерийн утгыг дахин хэрэглэсэн</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>нэгтгэсэн</translation>
    </message>
    <message>
        <source>Registering the case</source>
        <translation>Хандалт бүртгэх</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Тэмдэглэл</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Дуудлага</translation>
    </message>
    <message>
        <source>Status change</source>
        <translation>Төлөв өөрчлөх</translation>
    </message>
    <message>
        <source>Assignment</source>
        <translation>Хуваарилалт</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Засвар</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Шилжүүлэг</translation>
    </message>
    <message>
        <source>Deadline extension</source>
        <translation>Хугацаа сунгалт</translation>
    </message>
    <message>
        <source>Agency answer</source>
        <translation>Байгууллагын хариу</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Холбоос</translation>
    </message>
    <message>
        <source>Conflict resolution</source>
        <translation>Зөрчил шийдвэрлэлт</translation>
    </message>
    <message>
        <source>Due {date} (answered)</source>
        <translation>Эцсийн хугацаа {date} (хариулсан)</translation>
    </message>
    <message>
        <source>Due {date} ({countdown})</source>
        <translation>Эцсийн хугацаа {date} ({countdown})</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer to an agency</source>
        <translation>Байгууллагад шилжүүлэх</translation>
    </message>
    <message>
        <source>&amp;Agency:</source>
        <translation>&amp;Байгууллага:</translation>
    </message>
    <message>
        <source>Type to search</source>
        <translation>Бичиж хайна уу</translation>
    </message>
    <message>
        <source>&amp;Note for the agency:</source>
        <translation>Байгууллагад өгөх &amp;тайлбар:</translation>
    </message>
    <message>
        <source>Choose the agency from the list.</source>
        <translation>Байгууллагыг жагсаалтаас сонгоно уу.</translation>
    </message>
</context>
<context>
    <name>WorkloadBoard</name>
    <message>
        <source>Workload of your centres</source>
        <translation>Таны төвүүдийн ачаалал</translation>
    </message>
    <message>
        <source>&amp;Operators:</source>
        <translation>&amp;Операторууд:</translation>
    </message>
    <message>
        <source>T&amp;eams:</source>
        <translation>Ба&amp;гууд:</translation>
    </message>
    <message>
        <source>Workload per operator</source>
        <translation>Оператор тус бүрийн ачаалал</translation>
    </message>
    <message>
        <source>Workload per team</source>
        <translation>Баг тус бүрийн ачаалал</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Нээлттэй</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Хугацаа хэтэрсэн</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>Өнөөдөр дуусах</translation>
    </message>
    <message>
        <source>Due this week</source>
        <translation>Энэ долоо хоногт дуусах</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <source>Teams</source>
        <translation>Багууд</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Бэлэн байдал</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Баг</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Төв</translation>
    </message>
    <message>
        <source>Re&amp;balance the selected cases…</source>
        <translation>Сонгосон хандалтыг &amp;тэнцвэржүүлэх…</translation>
    </message>
    <message>
        <source>Reassign the open cases of the selected operators or teams (Enter)</source>
        <translation>Сонгосон оператор, багийн нээлттэй хандалтыг дахин хуваарилах (Enter)</translation>
    </message>
    <message>
        <source>Team &amp;auto-assignment…</source>
        <translation>Багийн &amp;автомат хуваарилалт…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Шинэчлэх</translation>
    </message>
    <message>
        <source>Workload of your centres · open cases: {count}</source>
        <translation>Таны төвүүдийн ачаалал · нээлттэй хандалт: {count}</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Хуваарилаагүй</translation>
    </message>
    <message>
        <source>No team</source>
        <translation>Баггүй</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Тодорхойгүй</translation>
    </message>
    <message>
        <source>{state} (last known)</source>
        <translation>{state} (сүүлд мэдэгдсэн)</translation>
    </message>
</context>
</TS>
