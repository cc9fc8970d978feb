<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CallerPanel</name>
    <message numerus="yes">
        <source>%n caller(s) found:</source>
        <translation>
            <numerusform>%n caller found:</numerusform>
            <numerusform>%n callers found:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{caller} — %n case(s)</source>
        <translation>
            <numerusform>{caller} — %n case</numerusform>
            <numerusform>{caller} — %n cases</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message numerus="yes">
        <source>%n unexpected error(s) occurred.</source>
        <translation>
            <numerusform>%n unexpected error occurred.</numerusform>
            <numerusform>%n unexpected errors occurred.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message numerus="yes">
        <source>%n case(s) assigned to you</source>
        <translation>
            <numerusform>%n case assigned to you</numerusform>
            <numerusform>%n cases assigned to you</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{numbers} and %n more</source>
        <translation>
            <numerusform>{numbers} and %n more</numerusform>
            <numerusform>{numbers} and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QueueLegend</name>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message numerus="yes">
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n change waiting</numerusform>
            <numerusform>%n changes waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n need(s) your decision</source>
        <translation>
            <numerusform>%n needs your decision</numerusform>
            <numerusform>%n need your decision</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TimelineWriter</name>
    <message numerus="yes">
        <source>%n change(s) saved on this computer, waiting to sync</source>
        <translation>
            <numerusform>%n change saved on this computer, waiting to sync</numerusform>
            <numerusform>%n changes saved on this computer, waiting to sync</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deadline extended by %n day(s)</source>
        <translation>
            <numerusform>Deadline extended by %n day</numerusform>
            <numerusform>Deadline extended by %n days</numerusform>
        </translation>
    </message>
</context>
</TS>
